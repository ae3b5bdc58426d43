package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.federation.strategy.ServerOptimizer;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
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
}
