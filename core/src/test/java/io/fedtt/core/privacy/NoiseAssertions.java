package io.fedtt.core.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks that values are zero-mean noise of a given standard deviation (the DP tests' noise statistics). */
public final class NoiseAssertions {

    private NoiseAssertions() {
    }

    /**
     * The sample mean is within 4 standard errors of 0 and the sample standard deviation within 2% of
     * {@code std}: for tens of thousands of values a wrong scale or a bias fails, fair noise passes.
     */
    public static void assertZeroMeanNoise(float[] v, double std) {
        double sum = 0;
        double sq = 0;
        for (float x : v) {
            sum += x;
            sq += (double) x * x;
        }
        double mean = sum / v.length;
        double sd = Math.sqrt(sq / v.length - mean * mean);
        assertTrue(Math.abs(mean) < 4 * std / Math.sqrt(v.length), "mean " + mean);
        assertEquals(std, sd, 0.02 * std, "standard deviation");
    }
}
