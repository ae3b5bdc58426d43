package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.client.FederationHttpException;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.freeze.FreezingConfig;
import io.fedtt.core.freeze.FreezingPolicies;
import io.fedtt.core.privacy.secagg.SecAggParticipant;
import io.fedtt.core.privacy.secagg.SecureAggregation;
import io.fedtt.core.privacy.secagg.SecureSum;
import io.fedtt.core.privacy.secagg.SecureVector;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Secure aggregation over real HTTP: the coordinator computes FedAvg from one masked sum per round. */
class SecureAggregationHttpTest {

    private static final List<String> SILOS = List.of("silo-a", "silo-b", "silo-c", "silo-d", "silo-e");
    private static final Map<String, Double> WEIGHTS = new LinkedHashMap<>();

    static {
        double[] w = {1, 2, 1, 0.5, 3};
        for (int i = 0; i < SILOS.size(); i++) {
            WEIGHTS.put(SILOS.get(i), w[i]);
        }
    }

    private static List<Participant> participants() {
        return SILOS.stream().map(s -> new Participant(s, WEIGHTS.get(s))).toList();
    }

    @Test
    @Timeout(120)
    void weightedFedTtPlusRoundsMatchPlainFedAvgAndNoUpdateIsStored(@TempDir Path dir) throws Exception {
        AdapterLayout layout = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt());
        AdapterState init = AdapterInitializer.initialize(layout, 3);
        JobId job = new JobId("sec", "agg");
        FederationJobSpec spec = FederationJobSpec.builder(job, init).participants(participants()).rounds(3)
                .freezing("roundRobin", FreezingPolicies.create("roundRobin", FreezingConfig.defaults(), layout, 3))
                .wireDType(DType.F32).secureAggregation(new SecureAggregation(4, Duration.ofSeconds(20))).build();
        LogCapture logs = LogCapture.start("io.fedtt");
        // The capture must see what the code's System.Loggers emit, at the lowest level they use.
        System.getLogger(RoundCoordinator.class.getName()).log(System.Logger.Level.DEBUG, "capture check");
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new FileRoundStore(dir), CoordinatorOptions.defaults());
        try (FederationServer server = FederationServer.start(ServerConfig.loopback())) {
            server.host(coordinator, TokenRegistry.of(Fx.tokens(SILOS)));
            // A plain upload is refused: updates only ever travel masked.
            FederationClient plain = FederationHttpTest.client(server.baseUri(), job, "silo-a");
            RoundTask first = ((TaskAnswer.Work) plain.pollTask(0)).task();
            assertEquals(4, first.secureThreshold());
            FederationHttpException refused = assertThrows(FederationHttpException.class, () -> plain.upload(first,
                    Fx.pseudoUpdate(plain.fetchAdapter(first), first.trainable(), "silo-a", 1), Fx.info("silo-a", 1)));
            assertEquals(422, refused.status());

            ExecutorService pool = Executors.newFixedThreadPool(SILOS.size());
            List<Future<TaskAnswer.Done>> loops = new ArrayList<>();
            for (String s : SILOS) {
                FederationClient c = FederationHttpTest.client(server.baseUri(), job, s);
                loops.add(pool.submit(() -> ClientLoop.run(c, Fx.trainer(s))));
            }
            for (Future<TaskAnswer.Done> f : loops) {
                assertEquals(JobPhase.SUCCEEDED, f.get(90, TimeUnit.SECONDS).phase());
            }
            pool.shutdown();
            List<RoundRecord> h = coordinator.history();
            assertEquals(3, h.size());
            AdapterState expected = init;
            for (RoundRecord r : h) {
                assertEquals(SILOS, r.participants(), "every silo's update is in round " + r.round() + "'s sum");
                assertTrue(r.trainable().size() < init.names().size(), "FedTT+ freezes cores in round " + r.round());
                expected = Fx.expectedRound(expected, Set.copyOf(r.trainable()), WEIGHTS, r.round());
            }
            double diff = Fx.maxAbsDiff(expected, coordinator.global());
            assertTrue(diff < 1e-6, "the unmasked weighted mean differs from plain FedAvg by " + diff);
            assertTrue(coordinator.status().bytesUp() > 0, "protocol messages are counted as traffic");

            // Nothing stored or logged holds an individual update: search every stored file and every
            // log record (all levels) for each silo's round-1 value of its first trainable tensor, as
            // float32, as the fixed-point words, as text and as base64.
            List<byte[]> needles = new ArrayList<>();
            List<String> textNeedles = new ArrayList<>();
            String tensor = h.get(0).trainable().get(0);
            for (String s : SILOS) {
                int n = Math.min(16, init.get(tensor).size());
                float[] f = new float[n];
                long[] w = new long[n];
                for (int k = 0; k < n; k++) {
                    float g = init.get(tensor).data()[k];
                    f[k] = g + Fx.delta(s, 1, tensor, k);
                    textNeedles.add(Float.toString(f[k]));
                    w[k] = Math.round(Math.scalb(Fx.examples(s) * WEIGHTS.get(s) * ((double) f[k] - g),
                            SecureVector.FRACTION_BITS));
                }
                ByteBuffer fb = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                fb.asFloatBuffer().put(f);
                needles.add(fb.array());
                ByteBuffer wb = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                wb.asLongBuffer().put(w);
                needles.add(wb.array());
            }
            needles.forEach(n -> textNeedles.add(Base64.getEncoder().withoutPadding().encodeToString(n)));
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.filter(Files::isRegularFile).toList()) {
                    byte[] content = Files.readAllBytes(p);
                    for (byte[] n : needles) {
                        assertFalse(contains(content, n), p + " holds an individual update");
                    }
                }
            }
            String logged = logs.text();
            assertTrue(logged.contains("capture check"), "the capture sees the federation's DEBUG records");
            for (String n : textNeedles) {
                assertFalse(logged.contains(n), "a log record holds an individual update's value " + n);
            }
        } finally {
            logs.stop();
            coordinator.close();
        }
    }

    @Test
    @Timeout(120)
    void oneOfFiveDroppingAfterSharingItsKeysIsRecoveredAndTheSumIsTheOthers() throws Exception {
        AdapterState init = Fx.smallAdapter();
        JobId job = new JobId("sec", "drop");
        FederationJobSpec spec = FederationJobSpec.builder(job, init).participants(participants()).rounds(1)
                .minParticipants(4).secureAggregation(new SecureAggregation(4, Duration.ofSeconds(2))).build();
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        try (FederationServer server = FederationServer.start(ServerConfig.loopback())) {
            server.host(coordinator, TokenRegistry.of(Fx.tokens(SILOS)));
            ExecutorService pool = Executors.newFixedThreadPool(SILOS.size());
            List<Future<TaskAnswer.Done>> loops = new ArrayList<>();
            List<String> survivors = List.of("silo-a", "silo-b", "silo-c", "silo-e");
            for (String s : survivors) {
                FederationClient c = FederationHttpTest.client(server.baseUri(), job, s);
                loops.add(pool.submit(() -> ClientLoop.run(c, Fx.trainer(s))));
            }
            // silo-d takes part until its masks are agreed, then vanishes without a masked update.
            FederationClient d = FederationHttpTest.client(server.baseUri(), job, "silo-d");
            RoundTask task = ((TaskAnswer.Work) d.pollTask(0)).task();
            SecureWire.View v = d.secureView(1, null, SecureSum.Stage.ADVERTISE);
            SecAggParticipant p = new SecAggParticipant("silo-d", v.session(), task.secureThreshold(), new SecureRandom());
            d.secureKeys(1, v.session(), p.advertise());
            v = d.secureView(1, v.session(), SecureSum.Stage.SHARE);
            while (v.stage() != SecureSum.Stage.SHARE) {
                v = d.secureView(1, v.session(), SecureSum.Stage.SHARE);
            }
            d.secureShares(1, v.session(), p.share(v.roster()));

            for (Future<TaskAnswer.Done> f : loops) {
                assertEquals(JobPhase.SUCCEEDED, f.get(90, TimeUnit.SECONDS).phase());
            }
            pool.shutdown();
            RoundRecord r = coordinator.history().get(0);
            assertTrue(r.completed());
            assertEquals(survivors, r.participants());
            Map<String, Double> w = new LinkedHashMap<>(WEIGHTS);
            w.remove("silo-d");
            AdapterState expected = Fx.expectedRound(init, Set.copyOf(r.trainable()), w, 1);
            double diff = Fx.maxAbsDiff(expected, coordinator.global());
            assertTrue(diff < 1e-6, "the recovered sum differs from the four survivors' FedAvg by " + diff);
        } finally {
            coordinator.close();
        }
    }

    /**
     * The coordinator restarts after two of three silos sent masked updates: the round's session starts
     * afresh (the masked sum was in memory only), the silos mask the same updates under new keys, and
     * the job ends with exactly the plain weighted FedAvg.
     */
    @Test
    @Timeout(120)
    void aCoordinatorRestartMidSessionRedoesTheSessionAndLosesNothing(@TempDir Path dir) throws Exception {
        JobId job = new JobId("sec", "restart");
        List<String> silos = SILOS.subList(0, 3);
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter())
                .participants(participants().subList(0, 3)).rounds(2).roundTimeout(Duration.ofMinutes(5))
                .secureAggregation(new SecureAggregation(2, Duration.ofSeconds(30))).build();
        TokenRegistry tokens = TokenRegistry.of(Fx.tokens(silos));
        RoundCoordinator first = RoundCoordinator.open(spec, new FileRoundStore(dir), CoordinatorOptions.defaults());
        FederationServer server = FederationServer.start(ServerConfig.loopback());
        server.host(first, tokens);
        int port = server.port();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<TaskAnswer.Done>> loops = new ArrayList<>();
        for (String s : silos.subList(0, 2)) {
            FederationClient c = FederationHttpTest.client(server.baseUri(), job, s);
            loops.add(pool.submit(() -> ClientLoop.run(c, Fx.trainer(s))));
        }
        // silo-c agrees its masks, then is slow: the others' masked updates are in when the coordinator dies.
        FederationClient slow = FederationHttpTest.client(server.baseUri(), job, "silo-c");
        RoundTask task = ((TaskAnswer.Work) slow.pollTask(0)).task();
        SecureWire.View v = slow.secureView(1, null, SecureSum.Stage.ADVERTISE);
        SecAggParticipant p = new SecAggParticipant("silo-c", v.session(), task.secureThreshold(), new SecureRandom());
        slow.secureKeys(1, v.session(), p.advertise());
        do {
            v = slow.secureView(1, v.session(), SecureSum.Stage.SHARE);
        } while (v.stage() != SecureSum.Stage.SHARE);
        slow.secureShares(1, v.session(), p.share(v.roster()));
        FederationHttpTest.await(() -> first.received().size() == 2, "two masked updates");
        server.close();
        first.close();

        RoundCoordinator second = RoundCoordinator.open(spec, new FileRoundStore(dir), CoordinatorOptions.defaults());
        assertEquals(1, second.status().round());
        assertEquals(List.of(), second.received(), "the old session's masked sum is gone");
        FederationServer again = FederationServer.start(
                ServerConfig.loopback().withBind(new java.net.InetSocketAddress("127.0.0.1", port)));
        try {
            again.host(second, tokens);
            FederationClient c = FederationHttpTest.client(again.baseUri(), job, "silo-c");
            loops.add(pool.submit(() -> ClientLoop.run(c, Fx.trainer("silo-c"))));
            for (Future<TaskAnswer.Done> f : loops) {
                assertEquals(JobPhase.SUCCEEDED, f.get(90, TimeUnit.SECONDS).phase());
            }
            pool.shutdown();
            Map<String, Double> w = new LinkedHashMap<>();
            silos.forEach(s -> w.put(s, WEIGHTS.get(s)));
            AdapterState expected = Fx.smallAdapter();
            for (int r = 1; r <= 2; r++) {
                expected = Fx.expectedRound(expected, expected.names(), w, r);
            }
            double diff = Fx.maxAbsDiff(expected, second.global());
            assertTrue(diff < 1e-6, "after the restart the result differs by " + diff);
            assertEquals(silos, second.history().get(0).participants());
        } finally {
            again.close();
            second.close();
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

}
