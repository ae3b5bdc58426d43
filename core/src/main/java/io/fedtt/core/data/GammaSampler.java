package io.fedtt.core.data;

import java.util.SplittableRandom;

/**
 * Gamma and Dirichlet draws from a {@link SplittableRandom}, written out so the numbers depend only
 * on the seed (not on a JDK's Gaussian algorithm). Marsaglia and Tsang's method for shape >= 1;
 * for shape < 1 the boost Gamma(a) = Gamma(a + 1) * U^(1/a), kept in log space because U^(1/a)
 * underflows for the small concentrations (0.01-0.1) used to make skewed clients.
 */
final class GammaSampler {

    private final SplittableRandom random;

    GammaSampler(SplittableRandom random) {
        this.random = random;
    }

    /** log of a Gamma(shape, 1) draw. */
    double logGamma(double shape) {
        if (!(shape > 0) || Double.isInfinite(shape)) {
            throw new IllegalArgumentException("gamma shape must be positive and finite, got " + shape);
        }
        if (shape < 1) {
            double u = 1.0 - random.nextDouble(); // in (0, 1]
            return logGamma(shape + 1) + Math.log(u) / shape;
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9.0 * d);
        while (true) {
            double x;
            double v;
            do {
                x = gaussian();
                v = 1.0 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = 1.0 - random.nextDouble();
            if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                return Math.log(d * v);
            }
        }
    }

    /** A draw from the symmetric Dirichlet(alpha, ..., alpha) over {@code k} outcomes. */
    double[] dirichlet(double alpha, int k) {
        double[] logs = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            logs[i] = logGamma(alpha);
            max = Math.max(max, logs[i]);
        }
        double sum = 0;
        double[] p = new double[k];
        for (int i = 0; i < k; i++) {
            p[i] = Math.exp(logs[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < k; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Standard normal by the Marsaglia polar method. */
    private double gaussian() {
        double u;
        double v;
        double s;
        do {
            u = 2.0 * random.nextDouble() - 1.0;
            v = 2.0 * random.nextDouble() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        return u * Math.sqrt(-2.0 * Math.log(s) / s);
    }
}
