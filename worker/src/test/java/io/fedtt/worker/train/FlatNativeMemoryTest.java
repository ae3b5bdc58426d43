package io.fedtt.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.Example;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.worker.model.PretrainedModel;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Many client-rounds in one process, as {@code fedtt simulate} and a cross-device worker shard run
 * them: each on a thread of its own, all on the one loaded MiniLM, each loading the global adapter,
 * evaluating it, training a few steps and exporting its update. Nothing a round creates may outlive
 * it: the number of live NDArrays in the whole process is the same after every round, and resident
 * memory outside the Java heap (native allocations, measured by the kernel) stays flat after a
 * warm-up: its growth over the last rounds stays below a fraction of what the first round's working
 * set added. Before the fix (rounds computed on their participants' own threads, see
 * {@link EngineThread}), {@code fedtt simulate} grew by about 200 MB per MiniLM client-round.
 */
class FlatNativeMemoryTest {

    static final int ROUNDS = 32;
    static final int WARM_UP = 10;
    /**
     * Allowed growth over the rounds after the warm-up: measurement noise is about 10 MiB here, one round's
     * working set (batches of 8 texts of up to 32 tokens) about 50 MiB, which is what a participant's
     * thread kept cached per round before the fix.
     */
    static final long BOUND = 24L << 20;

    @Test
    void manyClientRoundsKeepLiveArraysAndResidentMemoryFlat() throws Exception {
        assumeTrue(ProcessMemory.residentBytes() > 0, "needs /proc/self/status (Linux)");
        try (PretrainedModel base = MiniLm.load(32)) {
            AdapterLayout layout = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt(5, 64));
            AdaptedModel model = AdaptedModel.attach(base, layout, 1);
            AdapterState global = model.export(layout.names());
            NDManager everything = base.manager().getParentManager(); // the engine's root: every live array
            TrainingOptions options = TrainingOptions.defaults().withEvalBatchSize(8);
            List<Dataset> clients = clients(8);

            long before = outsideTheHeap();
            long[] rss = new long[ROUNDS];
            int[] arrays = new int[ROUNDS];
            // Every round is a new participant's, on its own thread, which lives on (a simulated device waits
            // for its next task) until the end, as in fedtt simulate and a worker shard.
            CountDownLatch jobOver = new CountDownLatch(1);
            List<Thread> participants = new ArrayList<>();
            try {
                for (int r = 0; r < ROUNDS; r++) {
                    Dataset data = clients.get(r % clients.size());
                    LocalTrainer client = new LocalTrainer(model, data, data, options, null);
                    RoundTask task = Tasks.steps(layout.names(), 2, 8, 1e-3, r);
                    CompletableFuture<Void> trained = new CompletableFuture<>();
                    Thread t = new Thread(() -> {
                        try {
                            client.train(task, global);
                            trained.complete(null);
                        } catch (Throwable e) {
                            trained.completeExceptionally(e);
                        }
                        awaitQuietly(jobOver);
                    }, "participant-" + r);
                    t.setDaemon(true);
                    t.start();
                    participants.add(t);
                    trained.get();
                    arrays[r] = everything.getManagedArrays().size();
                    rss[r] = outsideTheHeap();
                }
            } finally {
                jobOver.countDown();
                for (Thread t : participants) {
                    t.join();
                }
            }

            StringBuilder figures = new StringBuilder(String.format(Locale.ROOT,
                    "resident memory outside the Java heap before %d MiB; after each round (MiB):", before >> 20));
            for (long v : rss) {
                figures.append(' ').append(v >> 20);
            }
            System.out.println(figures);
            for (int r = 1; r < ROUNDS; r++) {
                assertEquals(arrays[0], arrays[r], "live NDArrays after round " + (r + 1) + " vs after round 1: "
                        + "arrays created by a round outlive it");
            }
            long baseline = rss[WARM_UP - 1];
            long peakAfter = 0;
            for (int r = WARM_UP; r < ROUNDS; r++) {
                peakAfter = Math.max(peakAfter, rss[r]);
            }
            long growth = peakAfter - baseline;
            assertTrue(growth <= BOUND, String.format(Locale.ROOT,
                    "resident memory outside the Java heap grew %d MiB over rounds %d-%d (%.2f MiB per round); the"
                            + " bound is %d MiB. %s", growth >> 20, WARM_UP + 1, ROUNDS,
                    growth / (double) (ROUNDS - WARM_UP) / (1 << 20), BOUND >> 20, figures));
        }
    }

    /**
     * Resident memory outside the Java heap (native allocations, libraries, thread stacks, the JVM's own),
     * after a full collection: garbage the rounds left on the heap, and the direct buffers DJL hands to
     * libtorch, which only a collection frees, do not count as growth.
     */
    private static long outsideTheHeap() {
        System.gc();
        return ProcessMemory.residentBytes() - ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code n} small clients of 8 labelled mails each, every one with its own texts. */
    static List<Dataset> clients(int n) {
        List<Example> all = MiniLmTrainingTest.data().examples();
        List<Dataset> out = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            List<Example> mine = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Example e = all.get((c * 3 + i) % all.size());
                mine.add(new Example(e.text() + " (device " + c + ")", e.label()));
            }
            out.add(new Dataset("client-" + c, MiniLmTrainingTest.LABELS, mine));
        }
        return out;
    }
}
