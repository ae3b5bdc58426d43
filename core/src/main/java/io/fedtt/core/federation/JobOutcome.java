package io.fedtt.core.federation;

import java.util.Objects;

/**
 * How a job ended, as the coordinator decided it: a kind that programs switch on (the operator maps
 * it to a condition reason) and a sentence for people. {@link #text()} ("RoundsCompleted: 8 of 8
 * rounds") is what logs, the wire's "done" answer and the console show; nothing parses it back.
 */
public record JobOutcome(Kind kind, String message) {

    public enum Kind {
        ROUNDS_COMPLETED(JobPhase.SUCCEEDED, "RoundsCompleted"),
        TARGET_ACCURACY_REACHED(JobPhase.SUCCEEDED, "TargetAccuracyReached"),
        NO_IMPROVEMENT(JobPhase.SUCCEEDED, "NoImprovement"),
        /** The next round would have taken epsilon above privacy.differentialPrivacy.targetEpsilon. */
        PRIVACY_BUDGET_EXHAUSTED(JobPhase.SUCCEEDED, "PrivacyBudgetExhausted"),
        /** The next round would not fit in communication.budgetBytes, even with more cores frozen or fewer clients. */
        BUDGET_EXHAUSTED(JobPhase.SUCCEEDED, "BudgetExhausted"),
        ROUND_FAILED(JobPhase.FAILED, "RoundFailed"),
        INTERNAL_ERROR(JobPhase.FAILED, "InternalError");

        private final JobPhase phase;
        private final String label;

        Kind(JobPhase phase, String label) {
            this.phase = phase;
            this.label = label;
        }

        /** The phase a job ending this way is in. */
        public JobPhase phase() {
            return phase;
        }

        /** The CamelCase name people and logs see. */
        public String label() {
            return label;
        }
    }

    public JobOutcome {
        Objects.requireNonNull(kind, "kind");
        message = message == null ? "" : message;
    }

    public static JobOutcome of(Kind kind, String message) {
        return new JobOutcome(kind, message);
    }

    public JobPhase phase() {
        return kind.phase();
    }

    /** "Label: message", as shown to people. */
    public String text() {
        return message.isEmpty() ? kind.label() : kind.label() + ": " + message;
    }

    /**
     * Reads the text form that stores written before outcomes were typed held (only such stores
     * call this); an unknown label reads as an internal error of that text.
     */
    public static JobOutcome fromLegacyText(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        int colon = text.indexOf(':');
        String label = colon < 0 ? text : text.substring(0, colon);
        String rest = colon < 0 ? "" : text.substring(colon + 1).trim();
        for (Kind k : Kind.values()) {
            if (k.label().equals(label)) {
                return new JobOutcome(k, rest);
            }
        }
        return new JobOutcome(Kind.INTERNAL_ERROR, text);
    }
}
