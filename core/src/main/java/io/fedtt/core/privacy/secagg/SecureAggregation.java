package io.fedtt.core.privacy.secagg;

import java.time.Duration;
import java.util.Objects;

/**
 * A job's secure-aggregation settings ({@code spec.privacy.secureAggregation}).
 *
 * @param threshold    how many participants of a round must take part in every stage, and how many
 *                     shares rebuild a secret: at least 2, more than half of the participants per round
 *                     (so that no two disjoint groups could each unmask), at most all of them
 * @param stageTimeout how long each protocol stage after the first waits for late participants
 *                     (the first, which includes local training, waits until the round's deadline)
 */
public record SecureAggregation(int threshold, Duration stageTimeout) {

    /** Shamir over GF(256) numbers holders 1..255. */
    public static final int MAX_PARTICIPANTS = 255;
    public static final Duration DEFAULT_STAGE_TIMEOUT = Duration.ofSeconds(60);

    public SecureAggregation {
        Objects.requireNonNull(stageTimeout, "stageTimeout");
        if (stageTimeout.isNegative() || stageTimeout.isZero()) {
            throw new IllegalArgumentException("secureAggregation.stageTimeout must be positive, got " + stageTimeout);
        }
    }

    /** The default threshold for {@code perRound} participants: two thirds, rounded up, at least 2. */
    public static int defaultThreshold(int perRound) {
        return Math.max(2, (2 * perRound + 2) / 3);
    }

    /**
     * Checks the settings against the participants a round selects.
     *
     * @throws IllegalArgumentException naming the field (secureAggregation.threshold) at fault
     */
    public void check(int perRound) {
        if (perRound < 2) {
            throw new IllegalArgumentException("secureAggregation needs at least 2 participants per round, got "
                    + perRound + ": the sum of one update is the update");
        }
        if (perRound > MAX_PARTICIPANTS) {
            throw new IllegalArgumentException("secureAggregation supports at most " + MAX_PARTICIPANTS
                    + " participants per round, got " + perRound);
        }
        if (threshold < 2 || threshold > perRound || 2 * threshold <= perRound) {
            throw new IllegalArgumentException("secureAggregation.threshold must be more than half of the " + perRound
                    + " participants per round, at least 2 and at most " + perRound + ", got " + threshold);
        }
    }
}
