package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.client.RetryPolicy;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.tensor.AdapterState;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Server and clients over loopback HTTP, with fake training. */
class FederationHttpTest {

    static FederationClient client(URI base, JobId job, String participant) {
        return new FederationClient(FederationClient.Config.of(base, job, participant, Fx.token(participant))
                .withLongPoll(Duration.ofSeconds(5))
                .withRetry(new RetryPolicy(40, Duration.ofMillis(20), Duration.ofMillis(300), 0.5)));
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    @Timeout(120)
    void eightClientsTenRoundsEndAtTheIndependentlyComputedWeightedAverage(@TempDir Path dir) throws Exception {
        JobId job = new JobId("team-a", "eight");
        List<Participant> ps = new ArrayList<>();
        Map<String, Double> weights = new LinkedHashMap<>();
        for (int i = 0; i < 8; i++) {
            double w = i % 3 == 0 ? 2.0 : 1.0;
            ps.add(new Participant("silo-" + i, w));
            weights.put("silo-" + i, w);
        }
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter()).participants(ps).rounds(10)
                .roundTimeout(Duration.ofMinutes(5)).build();
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new FileRoundStore(dir), CoordinatorOptions.defaults());
        List<String> progress = java.util.Collections.synchronizedList(new ArrayList<>());
        try (FederationServer server = FederationServer.start(ServerConfig.loopback())) {
            server.host(coordinator, TokenRegistry.of(Fx.tokens(weights.keySet())));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<FederationClient> clients = new ArrayList<>();
            List<Future<TaskAnswer.Done>> results = new ArrayList<>();
            for (String p : weights.keySet()) {
                FederationClient c = client(server.baseUri(), job, p);
                clients.add(c);
                results.add(pool.submit(() -> ClientLoop.run(c, Fx.trainer(p),
                        (task, receipt) -> progress.add(p + "@" + task.round()))));
            }
            for (Future<TaskAnswer.Done> f : results) {
                TaskAnswer.Done done = f.get(90, TimeUnit.SECONDS);
                assertEquals(JobPhase.SUCCEEDED, done.phase());
                assertEquals(10, done.finalVersion());
            }
            pool.shutdown();

            AdapterState expected = Fx.smallAdapter();
            for (int r = 1; r <= 10; r++) {
                expected = Fx.expectedRound(expected, expected.names(), weights, r);
            }
            double diff = Fx.maxAbsDiff(expected, coordinator.global());
            assertTrue(diff < 1e-6, "final global differs from the independent weighted average by " + diff);
            AdapterState downloaded = clients.get(3).fetchCurrentAdapter();
            assertTrue(Fx.maxAbsDiff(expected, downloaded) < 1e-6);
            assertEquals(80, progress.size());

            List<RoundRecord> history = coordinator.history();
            assertEquals(10, history.size());
            for (RoundRecord r : history) {
                assertTrue(r.completed());
                assertEquals(8, r.participants().size());
                assertTrue(r.stragglers().isEmpty());
                assertEquals(8, r.traffic().size(), "bytes counted per silo in round " + r.round());
                assertTrue(r.bytesUp() > 0 && r.bytesDown() > 0);
                assertEquals(r.traffic().values().stream().mapToLong(Traffic::up).sum(), r.bytesUp());
            }
            // Every body byte either side saw is counted, in both directions.
            long up = clients.stream().mapToLong(c -> c.traffic().up()).sum();
            long down = clients.stream().mapToLong(c -> c.traffic().down()).sum();
            await(() -> coordinator.status().bytesUp() == up && coordinator.status().bytesDown() == down,
                    "server byte counts " + coordinator.status().bytesUp() + "/" + coordinator.status().bytesDown()
                            + " to equal the clients' " + up + "/" + down);
            // Only uploads carry bytes up, each inside its round: the upload that closed a round included.
            assertEquals(up, history.stream().mapToLong(RoundRecord::bytesUp).sum(), "uploads counted in their rounds");
        } finally {
            coordinator.close();
        }
    }

    /** A client goes silent: the deadline with quorum completes the round without it. */
    @Test
    @Timeout(60)
    void aClientDisappearsAndTheDeadlineWithQuorumCompletesTheRound(@TempDir Path dir) throws Exception {
        JobId job = new JobId("team-a", "straggler");
        TestClock clock = new TestClock();
        List<String> silos = Fx.names("silo-", 4);
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter()).silos(silos.toArray(String[]::new))
                .rounds(2).minParticipants(3).maxRoundRetries(0).roundTimeout(Duration.ofMinutes(1)).build();
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new FileRoundStore(dir),
                CoordinatorOptions.defaults().withClock(clock));
        try (FederationServer server = FederationServer.start(ServerConfig.loopback().withDeadlineTick(Duration.ofMillis(10)))) {
            server.host(coordinator, TokenRegistry.of(Fx.tokens(silos)));
            // Round 1: three silos report, silo-3 fetches its task and adapter, then disappears.
            FederationClient gone = client(server.baseUri(), job, "silo-3");
            RoundTask t = ((TaskAnswer.Work) gone.pollTask(0)).task();
            gone.fetchAdapter(t);
            for (String p : silos.subList(0, 3)) {
                FederationClient c = client(server.baseUri(), job, p);
                RoundTask task = ((TaskAnswer.Work) c.pollTask(0)).task();
                c.upload(task, Fx.pseudoUpdate(c.fetchAdapter(task), task.trainable(), p, 1), Fx.info(p, 1));
            }
            Thread.sleep(50);
            assertEquals(1, coordinator.status().round(), "waits for silo-3 until the deadline");
            clock.advance(Duration.ofMinutes(1));
            await(() -> coordinator.status().round() == 2, "round 2 to open after the deadline");
            RoundRecord r1 = coordinator.history().get(0);
            assertTrue(r1.completed());
            assertEquals(List.of("silo-3"), r1.stragglers());
            // Round 2: only two report; below the quorum of 3 the round fails, and with no retries the job fails.
            for (String p : silos.subList(0, 2)) {
                FederationClient c = client(server.baseUri(), job, p);
                RoundTask task = ((TaskAnswer.Work) c.pollTask(1)).task();
                c.upload(task, Fx.pseudoUpdate(c.fetchAdapter(task), task.trainable(), p, 2), Fx.info(p, 2));
            }
            clock.advance(Duration.ofMinutes(1));
            await(() -> coordinator.status().phase() == JobPhase.FAILED, "the job to fail");
            RoundRecord r2 = coordinator.history().get(1);
            assertEquals(RoundRecord.Outcome.FAILED, r2.outcome());
            assertTrue(r2.reason().contains("2 of 4 updates by the deadline, quorum 3"), r2.reason());
            TaskAnswer.Done done = assertInstanceOf(TaskAnswer.Done.class, client(server.baseUri(), job, "silo-3").pollTask(0));
            assertEquals(JobPhase.FAILED, done.phase());
            assertTrue(done.reason().contains("QuorumNotReached"), done.reason());
        } finally {
            coordinator.close();
        }
    }

    /**
     * The server dies mid-round and a new one starts on the same store and port: acknowledged
     * updates survive, a repeat counts once, clients come back by themselves, the job finishes
     * with exactly the independent weighted average.
     */
    @Test
    @Timeout(120)
    void serverRestartMidRoundLosesNothingAndCountsNothingTwice(@TempDir Path dir) throws Exception {
        JobId job = new JobId("team-a", "restart");
        List<String> silos = Fx.names("silo-", 4);
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter()).silos(silos.toArray(String[]::new))
                .rounds(4).roundTimeout(Duration.ofMinutes(5)).build();
        TokenRegistry tokens = TokenRegistry.of(Fx.tokens(silos));
        RoundCoordinator first = RoundCoordinator.open(spec, new FileRoundStore(dir), CoordinatorOptions.defaults());
        FederationServer server = FederationServer.start(ServerConfig.loopback());
        server.host(first, tokens);
        int port = server.port();
        URI base = server.baseUri();
        Map<String, byte[]> round2Uploads = new LinkedHashMap<>();
        for (String p : silos) {
            FederationClient c = client(base, job, p);
            RoundTask t = ((TaskAnswer.Work) c.pollTask(0)).task();
            c.upload(t, Fx.pseudoUpdate(c.fetchAdapter(t), t.trainable(), p, 1), Fx.info(p, 1));
        }
        await(() -> first.status().round() == 2, "round 2");
        for (String p : silos.subList(0, 2)) {
            FederationClient c = client(base, job, p);
            RoundTask t = ((TaskAnswer.Work) c.pollTask(1)).task();
            AdapterState u = Fx.pseudoUpdate(c.fetchAdapter(t), t.trainable(), p, 2).withMetadata(Fx.info(p, 2).toMetadata());
            byte[] body = io.fedtt.core.tensor.SafetensorsCodec.encode(u, t.wireDType());
            round2Uploads.put(p, body);
            c.uploadBytes(2, body);
        }
        assertEquals(List.of("silo-0", "silo-1"), first.received());

        // Crash: the endpoint and its coordinator go away mid-round 2.
        server.close();
        first.close();

        // Clients keep trying while the server is down; it comes back on the same port.
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<TaskAnswer.Done>> loops = new ArrayList<>();
        for (String p : silos) {
            FederationClient c = client(base, job, p);
            loops.add(pool.submit(() -> ClientLoop.run(c, Fx.trainer(p))));
        }
        Thread.sleep(100);
        RoundCoordinator second = RoundCoordinator.open(spec, new FileRoundStore(dir), CoordinatorOptions.defaults());
        assertEquals(2, second.status().round());
        assertEquals(List.of("silo-0", "silo-1"), second.received(), "acknowledged updates survive the restart");
        FederationServer again = FederationServer.start(
                ServerConfig.loopback().withBind(new InetSocketAddress("127.0.0.1", port)));
        try {
            again.host(second, tokens);
            // A client that lost its ack re-sends the same bytes: success, counted once.
            var receipt = client(base, job, "silo-0").uploadBytes(2, round2Uploads.get("silo-0"));
            assertTrue(receipt.duplicate());
            for (Future<TaskAnswer.Done> f : loops) {
                assertEquals(JobPhase.SUCCEEDED, f.get(90, TimeUnit.SECONDS).phase());
            }
            pool.shutdown();
            Map<String, Double> w = new LinkedHashMap<>();
            silos.forEach(p -> w.put(p, 1.0));
            AdapterState expected = Fx.smallAdapter();
            for (int r = 1; r <= 4; r++) {
                expected = Fx.expectedRound(expected, expected.names(), w, r);
            }
            double diff = Fx.maxAbsDiff(expected, second.global());
            assertTrue(diff < 1e-6, "after the restart the result differs by " + diff);
            List<RoundRecord> h = second.history();
            assertEquals(4, h.size());
            assertEquals(silos, h.get(1).participants());
            assertEquals(4, h.get(1).participants().size());
        } finally {
            again.close();
            second.close();
        }
    }
}
