package io.fedtt.core.federation;

/**
 * Who takes part in a round. Cross-silo: every participant. Cross-device: a reproducible random
 * sample of {@code count} participants, or of {@code fraction} of them (at least one), drawn from
 * the job's seed and the round number.
 */
public record Sampling(Kind kind, int count, double fraction) {

    public enum Kind { ALL, COUNT, FRACTION }

    public Sampling {
        if (kind == Kind.COUNT && count < 1) {
            throw new IllegalArgumentException("sampling count must be at least 1, got " + count);
        }
        if (kind == Kind.FRACTION && !(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("sampling fraction must be in (0, 1], got " + fraction);
        }
    }

    public static Sampling all() {
        return new Sampling(Kind.ALL, 0, 1.0);
    }

    public static Sampling count(int perRound) {
        return new Sampling(Kind.COUNT, perRound, 0);
    }

    public static Sampling fraction(double fraction) {
        return new Sampling(Kind.FRACTION, 0, fraction);
    }

    /** How many of {@code registered} participants one round selects. */
    public int perRound(int registered) {
        return switch (kind) {
            case ALL -> registered;
            case COUNT -> Math.min(count, registered);
            case FRACTION -> Math.max(1, Math.min(registered, (int) Math.round(fraction * registered)));
        };
    }
}
