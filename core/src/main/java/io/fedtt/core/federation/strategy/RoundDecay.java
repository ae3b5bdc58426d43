package io.fedtt.core.federation.strategy;

import java.util.Locale;

/**
 * How the clients' peak learning rate changes from round to round. Within a round every client runs
 * its own warm-up and linear decay from a fresh AdamW (the local schedule restarts each round); this
 * is the schedule over the rounds, applied by the server to the learning rate each round's task hands
 * out. Without it every round moves the adapter by about as much as the first (Adam's steps are
 * normalized: about {@code lr} per element and step whatever the gradient's size), so the global
 * adapter keeps jumping to the latest sampled clients and never settles: the cross-device late-round
 * drift. A decay makes late rounds refine instead.
 */
public enum RoundDecay {
    /** Every round hands out the job's learning rate. */
    CONSTANT("constant"),
    /**
     * Round r of R hands out {@code lr * (1 + cos(pi (r - 1) / R)) / 2}: the job's rate in round 1,
     * half of it at mid-run, a few percent of it in the last round (never zero).
     */
    COSINE("cosine");

    private final String wireName;

    RoundDecay(String wireName) {
        this.wireName = wireName;
    }

    /** The spelling of {@code spec.rounds.learningRateDecay}. */
    public String wireName() {
        return wireName;
    }

    /** The multiplier of the job's learning rate in {@code round} (1-based) of {@code totalRounds}. */
    public double factor(int round, int totalRounds) {
        if (round < 1 || totalRounds < 1) {
            throw new IllegalArgumentException("round " + round + " of " + totalRounds);
        }
        return switch (this) {
            case CONSTANT -> 1.0;
            case COSINE -> 0.5 * (1 + Math.cos(Math.PI * (Math.min(round, totalRounds) - 1) / totalRounds));
        };
    }

    /** The decay spelled {@code name} in a manifest (case-insensitive). */
    public static RoundDecay parse(String name) {
        for (RoundDecay d : values()) {
            if (d.wireName.equalsIgnoreCase(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("learning-rate decay '" + name + "' is not one of constant, cosine");
    }

    @Override
    public String toString() {
        return wireName.toLowerCase(Locale.ROOT);
    }
}
