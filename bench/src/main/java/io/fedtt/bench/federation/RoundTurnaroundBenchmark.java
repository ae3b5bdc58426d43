package io.fedtt.bench.federation;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.Participant;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.WireJson;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.tensor.AdapterState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round turnaround: from the moment the client whose upload completes round r has its ack, to
 * the moment clients long-polling for round r+1 receive their task - for the first of them and for
 * the last. Every client of the round is parked in a long-poll when the last upload lands, so the
 * figure includes aggregating the 99,194-parameter adapter, storing it durably (fsync), saving the
 * coordinator state and waking every parked request. Uploads go through the real HTTP endpoint
 * into a {@link FileRoundStore}; training is skipped (pre-encoded updates).
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.fedtt.bench.federation.RoundTurnaroundBenchmark
 * [clients,...] [rounds,...]} (defaults 10,100,1000 and 200,60,20).
 */
public final class RoundTurnaroundBenchmark {

    public static void main(String[] args) throws Exception {
        int[] sizes = BenchSupport.ints(args.length > 0 ? args[0] : "10,100,1000");
        int[] rounds = BenchSupport.ints(args.length > 1 ? args[1] : "200,60,20");
        AdapterState global = BenchSupport.robertaAdapter();
        System.out.println("# round turnaround, " + BenchSupport.machine());
        System.out.println("| clients per round | rounds measured | first client p50 | first client p99 | all clients p50 | all clients p99 |");
        System.out.println("|---|---|---|---|---|---|");
        for (int i = 0; i < sizes.length; i++) {
            run(global, sizes[i], rounds[i]);
        }
    }

    private static void run(AdapterState global, int n, int rounds) throws Exception {
        int warmup = Math.max(2, rounds / 10);
        int total = rounds + warmup;
        JobId job = new JobId("bench", "turnaround-" + n);
        List<String> names = new ArrayList<>();
        Map<String, String> tokens = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String p = String.format("client-%05d", i);
            names.add(p);
            tokens.put(p, BenchSupport.token(p));
        }
        FederationJobSpec spec = FederationJobSpec.builder(job, global)
                .participants(names.stream().map(Participant::of).toList())
                .rounds(total).roundTimeout(Duration.ofMinutes(30)).build();
        Path dir = Files.createTempDirectory("fedtt-turnaround");
        Map<String, byte[]> updates = new HashMap<>();
        for (int i = 0; i < n; i++) {
            updates.put(names.get(i), BenchSupport.update(global, i));
        }
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new FileRoundStore(dir), CoordinatorOptions.defaults());
        ExecutorService uploaders = Executors.newFixedThreadPool(8);
        HttpClient polls = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpClient uploads = FederationClient.newHttpClient(null);
        List<Double> first = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        try (FederationServer server = FederationServer.start(ServerConfig.loopback().withThreads(8))) {
            server.host(coordinator, TokenRegistry.of(tokens));
            URI base = server.baseUri();
            for (int r = 1; r <= total; r++) {
                int round = r;
                // Everyone long-polls for the next round.
                List<CompletableFuture<Long>> parked = new ArrayList<>();
                for (String p : names) {
                    HttpRequest req = HttpRequest.newBuilder(URI.create(base + WireJson.jobPath(job) + "/task?silo=" + p
                            + "&after=" + round + "&wait=600")).header("Authorization", "Bearer " + tokens.get(p)).build();
                    parked.add(polls.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).thenApply(resp -> {
                        long at = System.nanoTime();
                        TaskAnswer a = WireJson.readTask(resp.body());
                        if (!(a instanceof TaskAnswer.Work) && !(a instanceof TaskAnswer.Done)) {
                            throw new IllegalStateException("unexpected answer " + a);
                        }
                        return at;
                    }));
                }
                Thread.sleep(Math.max(50, n / 4));
                AtomicLong lastAck = new AtomicLong();
                List<Future<?>> sent = new ArrayList<>();
                for (String p : names) {
                    sent.add(uploaders.submit(() -> {
                        FederationClient c = new FederationClient(FederationClient.Config.of(base, job, p, tokens.get(p)), uploads);
                        var receipt = c.uploadBytes(round, updates.get(p));
                        if (receipt.received() == receipt.selected()) {
                            lastAck.set(System.nanoTime());
                        }
                        return null;
                    }));
                }
                for (Future<?> f : sent) {
                    f.get(10, TimeUnit.MINUTES);
                }
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (CompletableFuture<Long> f : parked) {
                    long at = f.get(10, TimeUnit.MINUTES);
                    min = Math.min(min, at);
                    max = Math.max(max, at);
                }
                if (r > warmup && r < total) {
                    first.add((min - lastAck.get()) / 1e6);
                    all.add((max - lastAck.get()) / 1e6);
                }
            }
        } finally {
            uploaders.shutdownNow();
            coordinator.close();
            BenchSupport.deleteTree(dir);
        }
        System.out.printf("| %d | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms |%n", n, first.size(),
                BenchSupport.percentile(first, 0.5), BenchSupport.percentile(first, 0.99),
                BenchSupport.percentile(all, 0.5), BenchSupport.percentile(all, 0.99));
    }
}
