package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.coordinator.StopRule;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.privacy.RdpAccountant;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** targetEpsilon ends a job before a round would exceed it; the ledger counts what was released. */
class PrivacyBudgetTest {

    private final TestClock clock = new TestClock();

    private static FederationJobSpec.Builder spec(int rounds, DifferentialPrivacy dp) {
        return FederationJobSpec.builder(new JobId("test", "dp"), Fx.smallAdapter())
                .silos(Fx.names("silo-", 3).toArray(String[]::new))
                .rounds(rounds).roundTimeout(Duration.ofMinutes(5)).privacy(dp);
    }

    private static RoundRecord record(int round, boolean completed, List<String> participants) {
        return new RoundRecord(round, 0, completed ? RoundRecord.Outcome.COMPLETED : RoundRecord.Outcome.FAILED, "", 0, 1,
                participants, participants, List.of(), 1, new TreeMap<>(), 0, 0, new TreeMap<>(),
                EvalMetrics.NONE, EvalMetrics.NONE, Double.NaN, Double.NaN, List.of("head.w"), null, null);
    }

    @Test
    void theJobEndsBeforeTheRoundThatWouldExceedTheTarget() {
        // q = 1 (every silo, every round), z = 2: epsilon after 3 rounds < target < after 4
        double e3 = RdpAccountant.epsilon(1, 2, 3, 1e-5);
        double e4 = RdpAccountant.epsilon(1, 2, 4, 1e-5);
        double target = (e3 + e4) / 2;
        FederationJobSpec spec = spec(10, DifferentialPrivacy.central(1, 2).withTargetEpsilon(target)).build();
        RoundCoordinator c = RoundCoordinator.open(spec, new MemoryRoundStore(),
                CoordinatorOptions.defaults().withClock(clock).withDriver(Runnable::run));
        for (int r = 1; r <= 3; r++) {
            AdapterState g = c.global();
            Set<String> trainable = Set.copyOf(((TaskAnswer.Work) c.task("silo-0", r - 1)).task().trainable());
            for (String p : Fx.names("silo-", 3)) {
                c.submit(p, r, Fx.updateBytes(g, trainable, p, r, DType.F32));
            }
        }
        JobStatus st = c.status();
        assertEquals(JobPhase.SUCCEEDED, st.phase());
        assertEquals(3, st.completedRounds());
        assertTrue(st.reason().startsWith("PrivacyBudgetExhausted: epsilon "), st.reason());
        assertEquals(e3, PrivacyLedger.spent(spec, c.history()), 1e-12);
        assertTrue(PrivacyLedger.spent(spec, c.history()) <= target);
    }

    @Test
    void theStopRuleLooksOneRoundAheadAndTheLastRoundStaysRoundsCompleted() {
        double target = (RdpAccountant.epsilon(1, 2, 2, 1e-5) + RdpAccountant.epsilon(1, 2, 3, 1e-5)) / 2;
        DifferentialPrivacy dp = DifferentialPrivacy.central(1, 2).withTargetEpsilon(target);
        List<String> all = Fx.names("silo-", 3);
        assertTrue(StopRule.check(spec(5, dp).build(), List.of(record(1, true, all))).isEmpty());
        assertEquals(JobOutcome.Kind.PRIVACY_BUDGET_EXHAUSTED,
                StopRule.check(spec(5, dp).build(), List.of(record(1, true, all), record(2, true, all))).orElseThrow().kind());
        // a failed try releases nothing centrally
        assertTrue(StopRule.check(spec(5, dp).build(), List.of(record(1, false, all), record(1, true, all))).isEmpty());
        assertEquals(JobOutcome.Kind.ROUNDS_COMPLETED,
                StopRule.check(spec(2, dp).build(), List.of(record(1, true, all), record(2, true, all))).orElseThrow().kind());
    }

    @Test
    void localDpChargesEachParticipantForTheRoundsItUploadedIn() {
        FederationJobSpec spec = spec(5, DifferentialPrivacy.local(1, 4)).build();
        List<RoundRecord> h = List.of(record(1, false, List.of("silo-0")), record(1, true, List.of("silo-0", "silo-1")),
                record(2, true, List.of("silo-1")), record(3, true, List.of("silo-1", "silo-2")));
        assertEquals(3, PrivacyLedger.releases(spec, h)); // silo-1: rounds 1, 2, 3; silo-0's retry is the same round
        // local: no sampling amplification, noise multiplier halved (replace-one sensitivity 2 clipNorm)
        assertEquals(RdpAccountant.epsilon(1, 2, 3, 1e-5), PrivacyLedger.spent(spec, h), 1e-12);
        FederationJobSpec central = spec(5, DifferentialPrivacy.central(1, 4)).build();
        assertEquals(3, PrivacyLedger.releases(central, h));
        assertEquals(RdpAccountant.epsilon(1, 4, 3, 1e-5), PrivacyLedger.spent(central, h), 1e-12);
    }

    @Test
    void crossDeviceSamplingRateIsSelectedOverPopulation() {
        FederationJobSpec spec = FederationJobSpec.builder(new JobId("t", "dev"), Fx.smallAdapter())
                .silos(Fx.names("d", 100).toArray(String[]::new)).sampling(Sampling.count(10)).minParticipants(5)
                .privacy(DifferentialPrivacy.central(1, 1)).build();
        assertEquals(RdpAccountant.epsilon(0.1, 1, 7, 1e-5), PrivacyLedger.epsilon(spec, 7), 1e-12);
        assertEquals(0, PrivacyLedger.spent(spec, List.of()));
        assertTrue(Double.isNaN(PrivacyLedger.spent(spec(3, null).build(), List.of())));
    }

    @Test
    void aTargetBelowOneRoundIsRefusedAtOnce() {
        double one = RdpAccountant.epsilon(1, 1, 1, 1e-5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> spec(3, DifferentialPrivacy.central(1, 1).withTargetEpsilon(one / 2)).build());
        assertTrue(e.getMessage().contains("targetEpsilon") && e.getMessage().contains("single round"), e.getMessage());
        assertFalse(spec(3, DifferentialPrivacy.central(1, 1).withTargetEpsilon(one)).build().privacy() == null);
    }
}
