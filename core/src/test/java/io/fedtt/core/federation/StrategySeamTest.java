package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.federation.strategy.AggregateResult;
import io.fedtt.core.federation.strategy.FedAvg;
import io.fedtt.core.federation.strategy.RoundContext;
import io.fedtt.core.federation.strategy.RoundPlan;
import io.fedtt.core.federation.strategy.Strategy;
import io.fedtt.core.federation.strategy.TaskConfig;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator runs whatever strategy its options name, and keeps the strategy's server state durable. */
class StrategySeamTest {

    /**
     * Trains only head.w, asks two of the three silos, hands out its own learning rate, and keeps a
     * server-side counter of aggregated rounds (standing in for an optimizer's moments).
     */
    static final class CountingStrategy implements Strategy {
        final List<byte[]> statesSeen = new ArrayList<>();
        final String bogusTensor;

        CountingStrategy(String bogusTensor) {
            this.bogusTensor = bogusTensor;
        }

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public RoundPlan configureRound(RoundContext c) {
            String t = bogusTensor != null ? bogusTensor : "head.w";
            return new RoundPlan(List.of("silo-0", "silo-2"), TrainableMask.of(List.of(t)), new TaskConfig(3, 0, 4, 0.5));
        }

        @Override
        public Aggregation startAggregation(AdapterState global, TrainableMask mask, byte[] serverState) {
            statesSeen.add(serverState);
            Aggregation fedAvg = new FedAvg(null).startAggregation(global, mask, null);
            return new Aggregation() {
                @Override
                public void add(String participant, AdapterState update, double weight) {
                    fedAvg.add(participant, update, weight);
                }

                @Override
                public AggregateResult result() {
                    AggregateResult r = fedAvg.result();
                    byte count = serverState == null ? 0 : serverState[0];
                    return new AggregateResult(r.next(), r.energy(), new byte[] {(byte) (count + 1)});
                }
            };
        }
    }

    private static FederationJobSpec spec() {
        return FederationJobSpec.builder(new JobId("test", "seam"), Fx.smallAdapter())
                .silos("silo-0", "silo-1", "silo-2").rounds(3).minParticipants(2)
                .roundTimeout(Duration.ofMinutes(5)).build();
    }

    private static CoordinatorOptions options(Strategy s) {
        return CoordinatorOptions.defaults().withClock(new TestClock()).withDriver(Runnable::run).withStrategy(s);
    }

    private static void submit(RoundCoordinator c, int round, String... who) {
        AdapterState g = c.global();
        for (String p : who) {
            RoundTask t = ((TaskAnswer.Work) c.task(p, round - 1)).task();
            c.submit(p, round, Fx.updateBytes(g, t.trainable(), p, round, DType.F32));
        }
    }

    @Test
    void theStrategysPlanIsWhatParticipantsAreAskedToDo() {
        RoundCoordinator c = RoundCoordinator.open(spec(), new MemoryRoundStore(), options(new CountingStrategy(null)));
        assertEquals(List.of("silo-0", "silo-2"), c.selected());
        RoundTask t = ((TaskAnswer.Work) c.task("silo-0", 0)).task();
        assertEquals(List.of("head.w"), t.trainable());
        assertEquals(0.5, t.learningRate());
        assertEquals(3, t.localSteps());
        assertEquals(4, t.batchSize());
        assertInstanceOf(TaskAnswer.Waiting.class, c.task("silo-1", 0), "silo-1 is not in the plan");
        c.close();
    }

    @Test
    void serverStateIsHandedFromRoundToRoundAndSurvivesARestart(@TempDir Path dir) {
        CountingStrategy first = new CountingStrategy(null);
        RoundCoordinator c = RoundCoordinator.open(spec(), new FileRoundStore(dir), options(first));
        submit(c, 1, "silo-0", "silo-2");
        submit(c, 2, "silo-0");
        assertNull(first.statesSeen.get(0));
        assertArrayEquals(new byte[] {1}, first.statesSeen.get(1));
        c.close();

        CountingStrategy second = new CountingStrategy(null);
        RoundCoordinator resumed = RoundCoordinator.open(spec(), new FileRoundStore(dir), options(second));
        assertArrayEquals(new byte[] {1}, second.statesSeen.get(0), "the state after round 1 is restored");
        assertEquals(List.of("silo-0"), resumed.received());
        assertEquals(0.5, ((TaskAnswer.Work) resumed.task("silo-2", 1)).task().learningRate(),
                "the open round's task parameters are restored too");
        submit(resumed, 2, "silo-2");
        submit(resumed, 3, "silo-0", "silo-2");
        assertEquals(JobPhase.SUCCEEDED, resumed.status().phase());
        assertArrayEquals(new byte[] {2}, second.statesSeen.get(1));
        resumed.close();
    }

    @Test
    void aPlanNamingATensorTheAdapterLacksIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RoundCoordinator.open(spec(),
                new MemoryRoundStore(), options(new CountingStrategy("no.such"))));
        assertTrue(e.getMessage().contains("strategy 'counting'") && e.getMessage().contains("'no.such'"), e.getMessage());
    }

    @Test
    void withoutAStrategyAJobRunsFedAvgWithItsFreezingPolicy() {
        assertInstanceOf(FedAvg.class, CoordinatorOptions.defaults().strategyFor(spec()));
    }
}
