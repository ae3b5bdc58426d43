package io.fedtt.core.federation.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fedtt.core.aggregate.StreamingFedAvg;
import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.Fx;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.Sampling;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FedAvgTest {

    private static final AdapterState GLOBAL = Fx.smallAdapter();

    private static FederationJobSpec.Builder spec() {
        return FederationJobSpec.builder(new JobId("test", "fedavg"), GLOBAL)
                .silos(Fx.names("silo-", 3).toArray(String[]::new))
                .localSteps(7).batchSize(8).learningRate(0.003).roundTimeout(Duration.ofMinutes(5));
    }

    private static RoundContext first(FederationJobSpec spec, int round, List<RoundRecord> history) {
        return new RoundContext(spec, round, 0, GLOBAL, history, Set.of(), Set.of(), null);
    }

    /** A history record of round {@code r}: completed with the given energy, or a failed try. */
    private static RoundRecord record(int r, boolean completed, Map<String, Double> energy) {
        return new RoundRecord(r, 0, completed ? RoundRecord.Outcome.COMPLETED : RoundRecord.Outcome.FAILED, "", 0, 1,
                List.of("silo-0"), List.of("silo-0"), List.of(), 1, new TreeMap<>(), 0, 0, new TreeMap<>(),
                EvalMetrics.NONE, EvalMetrics.NONE, Double.NaN, Double.NaN, List.of("head.w"), energy, null);
    }

    @Test
    void withoutFreezingEveryTensorTrainsEveryParticipantIsAskedWithTheSpecsParameters() {
        FederationJobSpec spec = spec().build();
        RoundPlan p = new FedAvg(null).configureRound(first(spec, 1, List.of()));
        assertEquals(TrainableMask.of(GLOBAL.names()), p.mask());
        assertEquals(List.of("silo-0", "silo-1", "silo-2"), p.participants());
        assertEquals(new TaskConfig(7, 0, 8, 0.003), p.task());
    }

    @Test
    void crossDeviceRoundsSampleAsTheSamplerDoes() {
        FederationJobSpec spec = FederationJobSpec.builder(new JobId("test", "devices"), GLOBAL)
                .silos(Fx.names("dev-", 50).toArray(String[]::new)).sampling(Sampling.fraction(0.2)).build();
        for (int r = 1; r <= 3; r++) {
            assertEquals(ParticipantSampler.select(spec, r), FedAvg.of(spec).configureRound(first(spec, r, List.of())).participants());
        }
        RoundContext retry = new RoundContext(spec, 2, 1, GLOBAL, List.of(), Set.of("dev-1"), Set.of("dev-2"),
                TrainableMask.of(GLOBAL.names()));
        assertEquals(ParticipantSampler.select(spec, 2, 1, Set.of("dev-1"), Set.of("dev-2")),
                FedAvg.of(spec).configureRound(retry).participants());
    }

    @Test
    void theFreezingPolicyDecidesTheMaskFromTheEnergyOfCompletedRoundsOnly() {
        List<List<Map<String, Double>>> seen = new ArrayList<>();
        FreezingPolicy policy = new FreezingPolicy() {
            @Override
            public TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory) {
                seen.add(List.copyOf(energyHistory));
                return TrainableMask.of(round % 2 == 1 ? List.of("a.core0") : List.of("head.w"));
            }

            @Override
            public String name() {
                return "alternate";
            }
        };
        FederationJobSpec spec = spec().freezing("alternate", policy).build();
        FedAvg s = FedAvg.of(spec);
        List<RoundRecord> history = List.of(record(1, true, Map.of("a.core0", 0.5)), record(2, false, Map.of()),
                record(2, true, Map.of("head.w", 0.25)));
        assertEquals(TrainableMask.of(List.of("a.core0")), s.configureRound(first(spec, 3, history)).mask());
        assertEquals(List.of(List.of(Map.of("a.core0", 0.5), Map.of("head.w", 0.25))), seen,
                "one energy map per completed round, failed tries left out");
    }

    @Test
    void aRetryKeepsTheMaskItsAcceptedUpdatesWereTrainedOn() {
        FreezingPolicy changing = new FreezingPolicy() {
            @Override
            public TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory) {
                throw new AssertionError("a retry must not ask the policy again");
            }

            @Override
            public String name() {
                return "changing";
            }
        };
        FederationJobSpec spec = spec().freezing("changing", changing).build();
        TrainableMask open = TrainableMask.of(List.of("b.bias"));
        RoundContext retry = new RoundContext(spec, 4, 1, GLOBAL, List.of(), Set.of("silo-0"), Set.of(), open);
        assertEquals(open, FedAvg.of(spec).configureRound(retry).mask());
    }

    @Test
    void aggregationIsStreamingFedAvgBitForBitWithTheUpdateEnergyAndNoServerState() {
        TrainableMask mask = TrainableMask.of(List.of("a.core0", "b.bias"));
        Strategy.Aggregation a = new FedAvg(null).startAggregation(GLOBAL, mask, null);
        StreamingFedAvg reference = new StreamingFedAvg(GLOBAL, mask);
        double[] weights = {57.0, 2 * 91.0, 0.5 * 63.0};
        for (int i = 0; i < 3; i++) {
            AdapterState u = Fx.pseudoUpdate(GLOBAL, mask.trainable(), "silo-" + i, 1);
            a.add("silo-" + i, u, weights[i]);
            reference.add(u, weights[i]);
        }
        AggregateResult r = a.result();
        AdapterState expected = reference.result();
        for (String n : GLOBAL.names()) {
            assertArrayEquals(expected.get(n).data(), r.next().get(n).data(), n);
        }
        assertEquals(FreezingPolicy.updateEnergy(GLOBAL, expected), r.energy());
        assertEquals(0.0, r.energy().get("head.w"), "a frozen tensor did not move");
        assertNull(r.serverState());
    }

    @Test
    void anEmptyRoundHasNothingToAverage() {
        Strategy.Aggregation a = new FedAvg(null).startAggregation(GLOBAL, TrainableMask.of(GLOBAL.names()), null);
        assertThrows(IllegalStateException.class, a::result);
    }
}
