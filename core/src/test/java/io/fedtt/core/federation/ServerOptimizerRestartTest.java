package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.CoordinatorSnapshot;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.federation.store.RoundStore;
import io.fedtt.core.federation.strategy.ServerOptimizer;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A job with a server optimizer whose coordinator restarts between rounds (and mid-round) ends with
 * exactly the global adapter of an uninterrupted run: the moments survive in the snapshot.
 */
class ServerOptimizerRestartTest {

    private static final String[] SILOS = {"silo-0", "silo-1"};

    private static FederationJobSpec spec(ServerOptimizer.Kind kind) {
        return FederationJobSpec.builder(new JobId("test", "server-opt"), Fx.smallAdapter())
                .silos(SILOS).rounds(3).minParticipants(2).roundTimeout(Duration.ofMinutes(5))
                .freezing("headFrozen", Fx.headFrozen())
                .serverOptimizer(ServerOptimizer.defaults(kind)).build();
    }

    private static CoordinatorOptions options() {
        return CoordinatorOptions.defaults().withClock(new TestClock()).withDriver(Runnable::run);
    }

    private static void submit(RoundCoordinator c, int round, String... who) {
        AdapterState g = c.global();
        for (String p : who) {
            RoundTask t = ((TaskAnswer.Work) c.task(p, round - 1)).task();
            c.submit(p, round, Fx.updateBytes(g, t.trainable(), p, round, DType.F32));
        }
    }

    @ParameterizedTest
    @EnumSource(value = ServerOptimizer.Kind.class, names = {"FEDAVGM", "FEDADAM", "FEDYOGI"})
    void aRestartBetweenRoundsGivesTheSameAdapterBitForBit(ServerOptimizer.Kind kind, @TempDir Path dir) {
        RoundCoordinator straight = RoundCoordinator.open(spec(kind), new MemoryRoundStore(), options());
        for (int r = 1; r <= 3; r++) {
            submit(straight, r, SILOS);
        }
        assertEquals(JobPhase.SUCCEEDED, straight.status().phase());
        AdapterState expected = straight.global();
        straight.close();

        RoundCoordinator c = RoundCoordinator.open(spec(kind), new FileRoundStore(dir), options());
        submit(c, 1, SILOS);
        c.close();
        RoundCoordinator resumed = RoundCoordinator.open(spec(kind), new FileRoundStore(dir), options());
        submit(resumed, 2, "silo-0");
        resumed.close();
        RoundCoordinator again = RoundCoordinator.open(spec(kind), new FileRoundStore(dir), options());
        submit(again, 2, "silo-1");
        submit(again, 3, SILOS);
        assertEquals(JobPhase.SUCCEEDED, again.status().phase());
        AdapterState actual = again.global();
        again.close();

        for (String name : expected.names()) {
            assertArrayEquals(expected.get(name).data(), actual.get(name).data(), name);
        }
        assertArrayEquals(Fx.smallAdapter().get("head.w").data(), actual.get("head.w").data(),
                "the frozen head takes no server step");
        assertFalse(java.util.Arrays.equals(Fx.smallAdapter().get("a.core0").data(), actual.get("a.core0").data()));
    }

    /** Everything trains in round 1, then FedTT+ freezes core a.core1 (so it has moments to keep). */
    private static FreezingPolicy core1FrozenAfterRound1() {
        List<String> all = List.copyOf(Fx.smallAdapter().names());
        List<String> without = all.stream().filter(n -> !n.equals("a.core1")).toList();
        return new FreezingPolicy() {
            @Override
            public TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory) {
                return TrainableMask.of(round == 1 ? all : without);
            }

            @Override
            public String name() {
                return "core1FrozenAfterRound1";
            }
        };
    }

    private static FederationJobSpec maskedSpec(ServerOptimizer.Kind kind) {
        return FederationJobSpec.builder(new JobId("test", "server-opt-mask"), Fx.smallAdapter())
                .silos(SILOS).rounds(4).minParticipants(2).roundTimeout(Duration.ofMinutes(5))
                .freezing("core1FrozenAfterRound1", core1FrozenAfterRound1())
                .serverOptimizer(ServerOptimizer.defaults(kind)).build();
    }

    /** The optimizer's moment tensors ("m/NAME", "v/NAME") of the store's last snapshot. */
    private static AdapterState moments(RoundStore store) {
        CoordinatorSnapshot s = CoordinatorSnapshot.fromJson(store.loadState().orElseThrow(), "test");
        return SafetensorsCodec.decode(s.strategyState(), SafetensorsCodec.Limits.forModelWeights());
    }

    @ParameterizedTest
    @EnumSource(value = ServerOptimizer.Kind.class, names = {"FEDAVGM", "FEDADAM", "FEDYOGI"})
    void aFrozenCoreKeepsItsValueAndMomentsAcrossRoundsAndRestarts(ServerOptimizer.Kind kind, @TempDir Path dir) {
        MemoryRoundStore mem = new MemoryRoundStore();
        RoundCoordinator straight = RoundCoordinator.open(maskedSpec(kind), mem, options());
        submit(straight, 1, SILOS);
        float[] core1 = straight.global().get("a.core1").data().clone();
        AdapterState afterRound1 = moments(mem);
        for (int r = 2; r <= 4; r++) {
            submit(straight, r, SILOS);
            assertArrayEquals(core1, straight.global().get("a.core1").data(), "frozen core's value after round " + r);
            AdapterState m = moments(mem);
            assertArrayEquals(afterRound1.get("m/a.core1").data(), m.get("m/a.core1").data(), "m, round " + r);
            if (kind.adaptive()) {
                assertArrayEquals(afterRound1.get("v/a.core1").data(), m.get("v/a.core1").data(), "v, round " + r);
            }
            assertFalse(java.util.Arrays.equals(afterRound1.get("m/a.core0").data(), m.get("m/a.core0").data()),
                    "a trainable core's m moves, round " + r);
        }
        assertEquals(JobPhase.SUCCEEDED, straight.status().phase());
        AdapterState expected = straight.global();
        AdapterState expectedMoments = moments(mem);
        straight.close();

        // The same job with restarts after round 1, in the middle of round 2 and after round 3.
        FileRoundStore store = new FileRoundStore(dir);
        RoundCoordinator c = RoundCoordinator.open(maskedSpec(kind), store, options());
        submit(c, 1, SILOS);
        c.close();
        c = RoundCoordinator.open(maskedSpec(kind), new FileRoundStore(dir), options());
        submit(c, 2, "silo-0");
        c.close();
        c = RoundCoordinator.open(maskedSpec(kind), new FileRoundStore(dir), options());
        assertArrayEquals(core1, c.global().get("a.core1").data(), "restored: the frozen core's value");
        submit(c, 2, "silo-1");
        submit(c, 3, SILOS);
        c.close();
        c = RoundCoordinator.open(maskedSpec(kind), new FileRoundStore(dir), options());
        AdapterState restored = moments(new FileRoundStore(dir));
        assertArrayEquals(afterRound1.get("m/a.core1").data(), restored.get("m/a.core1").data(), "restored m");
        submit(c, 4, SILOS);
        assertEquals(JobPhase.SUCCEEDED, c.status().phase());
        AdapterState actual = c.global();
        c.close();
        for (String name : expected.names()) {
            assertArrayEquals(expected.get(name).data(), actual.get(name).data(), name);
        }
        AdapterState actualMoments = moments(new FileRoundStore(dir));
        assertEquals(expectedMoments.names(), actualMoments.names());
        for (String name : expectedMoments.names()) {
            assertArrayEquals(expectedMoments.get(name).data(), actualMoments.get(name).data(), name);
        }
    }
}
