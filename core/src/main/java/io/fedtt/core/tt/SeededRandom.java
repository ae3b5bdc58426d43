package io.fedtt.core.tt;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic random numbers for initialization. Each tensor gets its own stream derived from
 * (seed, tensor name), so adding or removing a tensor never changes another's values. The
 * Gaussian is our own Box–Muller over SplittableRandom's long stream, so values do not depend on
 * the JDK's nextGaussian algorithm.
 */
public final class SeededRandom {

    private final SplittableRandom random;
    private double spare;
    private boolean hasSpare;

    public SeededRandom(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** A stream for one named tensor under a run seed. */
    public static SeededRandom forTensor(long seed, String name) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64 over the UTF-8 name
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return new SeededRandom(mix(seed) ^ h);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (random.nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [-bound, bound). */
    public double nextUniform(double bound) {
        return (2 * nextDouble() - 1) * bound;
    }

    /** Standard normal. */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        double radius = Math.sqrt(-2.0 * Math.log(u1));
        spare = radius * Math.sin(2 * Math.PI * u2);
        hasSpare = true;
        return radius * Math.cos(2 * Math.PI * u2);
    }

    public float[] gaussian(int n, double std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (nextGaussian() * std);
        }
        return out;
    }

    public float[] uniform(int n, double bound) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) nextUniform(bound);
        }
        return out;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
