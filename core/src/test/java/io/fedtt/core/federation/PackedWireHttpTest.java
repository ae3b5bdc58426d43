package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.client.FederationHttpException;
import io.fedtt.core.federation.client.RetryPolicy;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.federation.strategy.ServerOptimizer;
import io.fedtt.core.freeze.FreezingConfig;
import io.fedtt.core.freeze.FreezingPolicies;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.core.wire.Encoding;
import io.fedtt.core.wire.PackedCodec;
import io.fedtt.core.wire.UpdateEncoder;
import io.fedtt.core.wire.WireLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packed wire format end to end over HTTP, on the real MiniLM TT adapter under FedTT+ round-robin
 * freezing: what clients train from is the server's global (exactly, in float32), downloads after the
 * first carry only the tensors changed since the client's copy, uploads only the trainable tensors,
 * frozen tensors are neither sent nor stepped, and the bytes are the encoding's.
 */
class PackedWireHttpTest {

    private static final AdapterLayout LAYOUT = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt());
    private static final List<String> SILOS = List.of("silo-a", "silo-b", "silo-c");

    static FederationClient client(java.net.URI base, JobId job, String participant, WireLayout layout) {
        return new FederationClient(FederationClient.Config.of(base, job, participant, Fx.token(participant))
                .withLongPoll(Duration.ofSeconds(5))
                .withRetry(new RetryPolicy(40, Duration.ofMillis(20), Duration.ofMillis(300), 0.5))
                .withLayout(layout));
    }

    private record Run(RoundCoordinator coordinator, List<RoundRecord> history, Map<Integer, AdapterState> globals,
                       Map<Integer, Double> trainedFromGap, long down, long up) {
    }

    private static Run run(Encoding encoding, ServerOptimizer optimizer) throws Exception {
        AdapterState init = AdapterInitializer.initialize(LAYOUT, 3);
        FreezingPolicy policy = FreezingPolicies.create("roundRobin", FreezingConfig.defaults(), LAYOUT, 3);
        JobId job = new JobId("wire", encoding.wireName());
        FederationJobSpec spec = FederationJobSpec.builder(job, init).silos(SILOS.toArray(String[]::new)).rounds(4)
                .freezing("roundRobin", policy).encoding(encoding).serverOptimizer(optimizer).build();
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        Map<Integer, AdapterState> globals = new ConcurrentHashMap<>();
        Map<Integer, Double> gaps = new ConcurrentHashMap<>();
        try (FederationServer server = FederationServer.start(ServerConfig.loopback())) {
            server.host(coordinator, TokenRegistry.of(Fx.tokens(SILOS)));
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<FederationClient> clients = new ArrayList<>();
            List<Future<TaskAnswer.Done>> loops = new ArrayList<>();
            WireLayout wire = WireLayout.of(LAYOUT);
            for (String s : SILOS) {
                FederationClient c = client(server.baseUri(), job, s, wire);
                clients.add(c);
                ClientLoop.Trainer fake = Fx.trainer(s);
                loops.add(pool.submit(() -> ClientLoop.run(c, (task, global) -> {
                    // No silo has uploaded yet for this round while any trains from it: the coordinator's
                    // global is the round's base.
                    AdapterState server0 = coordinator.global();
                    globals.putIfAbsent(task.round() - 1, server0);
                    gaps.merge(task.round(), Fx.maxAbsDiff(server0, new AdapterState(global.tensors())), Math::max);
                    return fake.train(task, global);
                })));
            }
            for (Future<TaskAnswer.Done> f : loops) {
                assertEquals(JobPhase.SUCCEEDED, f.get(90, TimeUnit.SECONDS).phase());
            }
            pool.shutdown();
            globals.put(4, coordinator.global());
            long down = clients.stream().mapToLong(c -> c.traffic().down()).sum();
            long up = clients.stream().mapToLong(c -> c.traffic().up()).sum();
            return new Run(coordinator, coordinator.history(), globals, gaps, down, up);
        }
    }

    @Test
    @Timeout(120)
    void float32DownloadsReconstructTheGlobalExactlyAndCarryOnlyChangedTensors() throws Exception {
        Run r = run(Encoding.FLOAT32, ServerOptimizer.FEDAVG);
        try {
            r.trainedFromGap().forEach((round, gap) -> assertEquals(0.0, gap, "round " + round
                    + ": the silos train from exactly the server's global"));
            AdapterState init = AdapterInitializer.initialize(LAYOUT, 3);
            AdapterState expected = init;
            Map<String, Double> w = new LinkedHashMap<>();
            SILOS.forEach(s -> w.put(s, 1.0));
            for (RoundRecord rec : r.history()) {
                expected = Fx.expectedRound(expected, Set.copyOf(rec.trainable()), w, rec.round());
            }
            double diff = Fx.maxAbsDiff(expected, r.coordinator().global());
            assertTrue(diff < 1e-6, "float32 packed uploads aggregate like safetensors ones: off by " + diff);
            // What travelled: per client one full adapter, then per round only what the previous round trained;
            // uploads only the trainable tensors. Allow the bodies' 52-byte header, bitmap, metadata and task JSON.
            WireLayout wire = WireLayout.of(LAYOUT);
            long valuesDown = init.parameterCount() * 4;
            long valuesUp = 0;
            for (RoundRecord rec : r.history()) {
                long trained = rec.trainable().stream().mapToLong(n -> init.get(n).size()).sum() * 4;
                valuesUp += trained;
                if (rec.round() < 4) {
                    valuesDown += trained;
                }
            }
            long perClientOverhead = 5 * (PackedCodec.HEADER_BYTES + wire.bitmapBytes() + 2_000) + 5 * 1_000;
            assertTrue(r.down() >= 3 * valuesDown && r.down() < 3 * (valuesDown + perClientOverhead),
                    "down " + r.down() + " vs values " + 3 * valuesDown);
            assertTrue(r.up() >= 3 * valuesUp && r.up() < 3 * (valuesUp + 4 * 400), "up " + r.up() + " vs " + 3 * valuesUp);
        } finally {
            r.coordinator().close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Encoding.class, names = {"FLOAT16", "BFLOAT16", "INT8"})
    @Timeout(120)
    void lossyEncodingsStayCloseToTheExactRunAndNeverStepFrozenTensors(Encoding encoding) throws Exception {
        Run exact = run(Encoding.FLOAT32, ServerOptimizer.defaults(ServerOptimizer.Kind.FEDADAM));
        Run lossy = run(encoding, ServerOptimizer.defaults(ServerOptimizer.Kind.FEDADAM));
        try {
            for (RoundRecord rec : lossy.history()) {
                AdapterState before = lossy.globals().get(rec.round() - 1);
                AdapterState after = lossy.globals().get(rec.round());
                for (String n : before.names()) {
                    if (!rec.trainable().contains(n)) {
                        assertArrayEquals(before.get(n).data(), after.get(n).data(), "round " + rec.round() + ": frozen '"
                                + n + "' took no server step");
                    }
                }
            }
            double diff = Fx.maxAbsDiff(exact.coordinator().global(), lossy.coordinator().global());
            // the fake updates move by up to 0.01 a round; the master stays float32, only deltas are rounded
            assertTrue(diff < 1e-3, encoding + ": the global differs from the float32 run's by " + diff);
            double ratio = (double) lossy.up() / exact.up();
            // int8: a byte a value plus a 4-byte scale per block (per tensor for the many small cores)
            double low = encoding == Encoding.INT8 ? 0.25 : 0.5;
            double high = encoding == Encoding.INT8 ? 0.4 : 0.55;
            assertTrue(ratio > low && ratio < high, encoding + " uploads " + ratio + " of float32's bytes");
        } finally {
            exact.coordinator().close();
            lossy.coordinator().close();
        }
    }

    @Test
    @Timeout(60)
    void aClientWithAnotherLayoutIsToldSoByName() throws Exception {
        JobId job = new JobId("wire", "layout");
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter()).silos("silo-a").rounds(1).build();
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        try (FederationServer server = FederationServer.start(ServerConfig.loopback())) {
            server.host(coordinator, TokenRegistry.of(Fx.tokens(List.of("silo-a"))));
            FederationClient c = client(server.baseUri(), job, "silo-a", WireLayout.of(LAYOUT));
            FederationHttpException e = assertThrows(FederationHttpException.class, () -> c.pollTask(0));
            assertEquals(422, e.status());
            assertTrue(e.getMessage().contains("adapter layout"), e.getMessage());
        } finally {
            coordinator.close();
        }
    }

    /** An int8 update acknowledged before a restart counts after it, exactly as without the restart. */
    @Test
    @Timeout(60)
    void acknowledgedPackedUpdatesSurviveACoordinatorRestart(@TempDir Path dir) {
        AdapterState init = Fx.smallAdapter();
        List<String> silos = List.of("silo-a", "silo-b");
        AdapterState withRestart = null;
        AdapterState without = null;
        for (boolean restart : new boolean[] {true, false}) {
            JobId job = new JobId("wire", "restart");
            FederationJobSpec spec = FederationJobSpec.builder(job, init).silos(silos.toArray(String[]::new)).rounds(1)
                    .encoding(Encoding.INT8).build();
            Path store = dir.resolve(Boolean.toString(restart));
            RoundCoordinator c = RoundCoordinator.open(spec, new FileRoundStore(store), CoordinatorOptions.defaults());
            WireLayout layout = WireLayout.of(init);
            for (String s : silos) {
                RoundTask t = ((TaskAnswer.Work) c.task(s, 0)).task();
                AdapterState global = PackedCodec.decode(c.adapter(s, t.round(), 0, true).body(), layout, Long.MAX_VALUE)
                        .tensors();
                byte[] body = new UpdateEncoder(layout).encode(t.encoding(), Fx.pseudoUpdate(global, t.trainable(), s, 1),
                        global, Fx.info(s, 1).toMetadata(), t.seed());
                c.submit(s, t.round(), body);
                if (restart && s.equals("silo-a")) {
                    c.close();
                    c = RoundCoordinator.open(spec, new FileRoundStore(store), CoordinatorOptions.defaults());
                    assertEquals(List.of("silo-a"), c.received(), "the acknowledged int8 update is back");
                }
            }
            awaitFinished(c);
            AdapterState g = new AdapterState(c.global().tensors());
            c.close();
            if (restart) {
                withRestart = g;
            } else {
                without = g;
            }
        }
        assertEquals(without, withRestart);
    }

    private static void awaitFinished(RoundCoordinator c) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.status().phase().finished()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("job did not finish: " + c.status());
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void hostilePackedUploadsAreRefusedNamingTheTensorOrField() {
        AdapterState init = Fx.smallAdapter();
        JobId job = new JobId("wire", "hostile");
        FederationJobSpec spec = FederationJobSpec.builder(job, init).silos("silo-a").rounds(1)
                .freezing("headFrozen", Fx.headFrozen()).encoding(Encoding.INT8).build();
        RoundCoordinator c = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        try {
            WireLayout layout = WireLayout.of(init);
            RoundTask t = ((TaskAnswer.Work) c.task("silo-a", 0)).task();
            Map<String, String> meta = Fx.info("silo-a", 1).toMetadata();
            // the frozen head travels along
            byte[] withHead = new UpdateEncoder(layout).encode(Encoding.INT8, Fx.pseudoUpdate(init, init.names(), "silo-a", 1),
                    init, meta, 1);
            assertRefused(c, withHead, "tensor 'head.w' is frozen in round 1");
            // a trainable tensor is missing
            byte[] missing = new UpdateEncoder(layout).encode(Encoding.INT8,
                    Fx.pseudoUpdate(init, List.of("a.core0", "a.core1"), "silo-a", 1), init, meta, 1);
            assertRefused(c, missing, "tensor 'b.bias' is trainable in round 1 but missing");
            // another encoding, values instead of deltas
            byte[] f32 = new UpdateEncoder(layout).encode(Encoding.FLOAT32,
                    Fx.pseudoUpdate(init, Fx.HEAD_FROZEN_TRAINABLE, "silo-a", 1), init, meta, 1);
            assertRefused(c, f32, "'encoding' is float32, this job's encoding is int8");
            // plain safetensors cannot carry int8
            assertRefused(c, SafetensorsCodec.encode(Fx.pseudoUpdate(init, Fx.HEAD_FROZEN_TRAINABLE, "silo-a", 1)
                    .withMetadata(meta), DType.F32), "only the packed wire format carries");
            // no metadata
            byte[] noMeta = new UpdateEncoder(layout).encode(Encoding.INT8,
                    Fx.pseudoUpdate(init, Fx.HEAD_FROZEN_TRAINABLE, "silo-a", 1), init, Map.of(), 1);
            assertRefused(c, noMeta, "'fedtt.examples' is missing");
            assertEquals(List.of(), c.received(), "nothing counted");
        } finally {
            c.close();
        }
    }

    @Test
    void aDeltaThatTakesTheGlobalToInfinityIsRefused() {
        AdapterState init = Fx.smallAdapter();
        float[] big = new float[5];
        java.util.Arrays.fill(big, 3e38f);
        AdapterState large = init.with(Map.of("b.bias", new Tensor(new int[] {5}, big)));
        FederationJobSpec spec = FederationJobSpec.builder(new JobId("wire", "overflow"), large).silos("silo-a").rounds(1)
                .encoding(Encoding.INT8).build();
        RoundCoordinator c = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        try {
            WireLayout layout = WireLayout.of(large);
            // the client claims to have trained from zeros: its delta of 3e38 lands on the server's 3e38
            AdapterState zeros = new AdapterState(large.tensors().entrySet().stream().collect(java.util.stream.Collectors
                    .toMap(Map.Entry::getKey, e -> new Tensor(e.getValue().shape(), new float[e.getValue().size()]))));
            byte[] body = new UpdateEncoder(layout).encode(Encoding.INT8, large, zeros, Fx.info("silo-a", 1).toMetadata(), 1);
            assertRefused(c, body, "tensor 'b.bias': element 0 is Infinity after adding the delta");
        } finally {
            c.close();
        }
    }

    private static void assertRefused(RoundCoordinator c, byte[] body, String needle) {
        io.fedtt.core.federation.coordinator.Rejection r = assertThrows(io.fedtt.core.federation.coordinator.Rejection.class,
                () -> c.submit("silo-a", 1, body));
        assertEquals(io.fedtt.core.federation.coordinator.Rejection.Kind.INVALID, r.kind());
        assertTrue(r.getMessage().contains(needle), r.getMessage());
    }
}
