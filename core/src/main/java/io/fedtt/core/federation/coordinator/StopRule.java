package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobOutcome;
import io.fedtt.core.federation.JobOutcome.Kind;
import io.fedtt.core.federation.PrivacyLedger;
import io.fedtt.core.federation.RoundRecord;
import java.util.List;
import java.util.Optional;

/**
 * When a job stops after a completed round: all rounds done, target accuracy reached, no progress, or
 * the next round would spend more privacy budget than {@code targetEpsilon} allows.
 */
public final class StopRule {

    private StopRule() {
    }

    /** The reason to stop after the last completed round in {@code history}, or empty to go on. */
    public static Optional<JobOutcome> check(FederationJobSpec spec, List<RoundRecord> history) {
        List<RoundRecord> done = history.stream().filter(RoundRecord::completed).toList();
        if (done.isEmpty()) {
            return Optional.empty();
        }
        RoundRecord last = done.get(done.size() - 1);
        if (!Double.isNaN(spec.targetAccuracy()) && !Double.isNaN(last.accuracy())
                && last.accuracy() >= spec.targetAccuracy()) {
            return Optional.of(JobOutcome.of(Kind.TARGET_ACCURACY_REACHED, "accuracy " + fmt(last.accuracy()) + " >= target "
                    + fmt(spec.targetAccuracy()) + " after round " + last.round()));
        }
        if (last.round() >= spec.rounds()) {
            return Optional.of(JobOutcome.of(Kind.ROUNDS_COMPLETED, spec.rounds() + " of " + spec.rounds() + " rounds"));
        }
        if (spec.privacy() != null && spec.privacy().hasTarget()) {
            double next = PrivacyLedger.afterNextRound(spec, history);
            if (next > spec.privacy().targetEpsilon()) {
                return Optional.of(JobOutcome.of(Kind.PRIVACY_BUDGET_EXHAUSTED, "epsilon " + fmt(PrivacyLedger.spent(spec, history))
                        + " after round " + last.round() + "; round " + (last.round() + 1) + " would reach " + fmt(next)
                        + " > targetEpsilon " + fmt(spec.privacy().targetEpsilon()) + " (delta " + spec.privacy().delta() + ")"));
            }
        }
        if (spec.patience() > 0) {
            double best = Double.NaN;
            int bestRound = 0;
            for (RoundRecord r : done) {
                if (!Double.isNaN(r.accuracy()) && (Double.isNaN(best) || r.accuracy() > best)) {
                    best = r.accuracy();
                    bestRound = r.round();
                }
            }
            if (bestRound > 0 && last.round() - bestRound >= spec.patience()) {
                return Optional.of(JobOutcome.of(Kind.NO_IMPROVEMENT, "best accuracy " + fmt(best) + " at round " + bestRound
                        + ", none better in the " + spec.patience() + " rounds since"));
            }
        }
        return Optional.empty();
    }

    private static String fmt(double d) {
        return String.format("%.4f", d);
    }
}
