package io.fedtt.bench.federation;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.Participant;
import io.fedtt.core.federation.Sampling;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.tensor.AdapterState;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Heap retained by one cross-device job with N registered clients: its spec (participant list),
 * token registry (hashes) and coordinator, with the 99,194-parameter adapter, 100 clients sampled
 * per round, every registered client long-polling once per round (its answer's bytes counted, as the
 * server does), measured fresh and after 5 completed rounds (history included). Measured as used heap
 * after full GCs, minus the same before the job exists; the adapter given to the job is created
 * before the baseline, so it is not counted.
 *
 * <p>Run: {@code java -Xmx1g -cp bench/target/benchmarks.jar io.fedtt.bench.federation.CoordinatorHeapBenchmark [clients]}
 */
public final class CoordinatorHeapBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        AdapterState global = BenchSupport.robertaAdapter();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(String.format("device-%05d", i));
        }
        Map<String, String> tokens = new HashMap<>();
        names.forEach(p -> tokens.put(p, BenchSupport.token(p)));
        byte[] update = BenchSupport.update(global, 1);
        Path dir = Files.createTempDirectory("fedtt-heap");
        long before = usedAfterGc();

        FederationJobSpec spec = FederationJobSpec.builder(new JobId("bench", "heap"), global)
                .participants(names.stream().map(Participant::of).toList())
                .sampling(Sampling.count(100)).minParticipants(100).rounds(6).build();
        TokenRegistry registry = TokenRegistry.of(tokens);
        RoundCoordinator c = RoundCoordinator.open(spec, new FileRoundStore(dir), CoordinatorOptions.defaults().withDriver(Runnable::run));
        long fresh = usedAfterGc() - before;
        for (int r = 1; r <= 5; r++) {
            // Every registered client long-polls each round; the server counts each answer's bytes.
            for (String p : names) {
                c.traffic().record(r, p, 0, 60);
            }
            for (String p : c.selected()) {
                c.submit(p, r, update);
            }
        }
        long afterRounds = usedAfterGc() - before;
        if (c.status().completedRounds() != 5 || registry.size() != n) {
            throw new IllegalStateException("benchmark job did not run as intended: " + c.status());
        }
        System.out.println("# coordinator heap, " + BenchSupport.machine());
        System.out.println("| registered clients | fresh job | after 5 rounds of 100 | per registered client (after 5 rounds) |");
        System.out.println("|---|---|---|---|");
        System.out.printf("| %,d | %.1f MiB | %.1f MiB | %.0f bytes |%n", n, fresh / 1048576.0, afterRounds / 1048576.0,
                (double) afterRounds / n);
        c.close();
        BenchSupport.deleteTree(dir);
        // Keep everything reachable until after the measurement.
        if (spec.participants().size() + tokens.size() + update.length == 0) {
            System.out.println();
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
