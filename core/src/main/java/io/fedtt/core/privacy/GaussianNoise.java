package io.fedtt.core.privacy;

import java.security.SecureRandom;
import java.util.Random;

/**
 * Gaussian noise for the DP mechanisms. In a job the source is a {@link SecureRandom} from the JDK
 * (never a seeded generator: noise an observer can replay protects nothing); tests inject a seeded
 * {@link Random} to check the statistics.
 */
public final class GaussianNoise {

    private final Random source;

    private GaussianNoise(Random source) {
        this.source = source;
    }

    /** Noise from a fresh {@link SecureRandom} (the JDK's default algorithm, seeded by the OS). */
    public static GaussianNoise secure() {
        return new GaussianNoise(new SecureRandom());
    }

    /** Noise from the given generator: for tests only. */
    public static GaussianNoise from(Random source) {
        return new GaussianNoise(source);
    }

    /** Adds independent N(0, std^2) draws to every value of {@code values}, in place. */
    public void addTo(double[] values, double std) {
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("noise standard deviation must be finite and >= 0, got " + std);
        }
        synchronized (source) {
            for (int k = 0; k < values.length; k++) {
                values[k] += std * source.nextGaussian();
            }
        }
    }
}
