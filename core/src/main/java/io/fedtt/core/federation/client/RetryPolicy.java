package io.fedtt.core.federation.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter for transient failures (connection errors, 5xx, 429, 408).
 * Retrying uploads is safe because the server answers an identical repeat as success.
 *
 * @param maxAttempts tries in all, at least 1
 * @param jitter each delay is scaled by a random factor in [1 - jitter, 1 + jitter]
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        if (jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("jitter must be in [0, 1], got " + jitter);
        }
    }

    /** 8 tries, from 200 ms up to 10 s, +-50 %. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(8, Duration.ofMillis(200), Duration.ofSeconds(10), 0.5);
    }

    /** The delay before try {@code attempt + 1} (attempt counts from 1). */
    public long delayMillis(int attempt) {
        double base = initialBackoff.toMillis() * Math.pow(2, Math.max(0, attempt - 1));
        double capped = Math.min(base, maxBackoff.toMillis());
        double factor = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Math.max(0, Math.round(capped * factor));
    }
}
