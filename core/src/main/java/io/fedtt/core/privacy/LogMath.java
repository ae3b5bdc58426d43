package io.fedtt.core.privacy;

/**
 * Log-space arithmetic the RDP accountant needs and the JDK lacks: sums of numbers held as their
 * logarithms, log|Gamma|, log|binomial| for real arguments, and log(erfc). Pure functions.
 */
final class LogMath {

    private static final double LOG_PI = Math.log(Math.PI);
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    // Lanczos approximation, g = 7, n = 9: relative error about 1e-15 for positive arguments.
    private static final double LANCZOS_G = 7;
    private static final double[] LANCZOS = {
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
        1.5056327351493116e-7};

    private LogMath() {
    }

    /** log(exp(a) + exp(b)), exact when either is -infinity. */
    static double logAdd(double a, double b) {
        double lo = Math.min(a, b);
        double hi = Math.max(a, b);
        if (lo == Double.NEGATIVE_INFINITY) {
            return hi;
        }
        return Math.log1p(Math.exp(lo - hi)) + hi;
    }

    /**
     * log|Gamma(x)| for any real x that is not a pole (0, -1, -2, ...), as scipy's {@code gammaln};
     * negative arguments through the reflection formula.
     */
    static double logGamma(double x) {
        if (x < 0.5) {
            // Gamma(x) Gamma(1 - x) = pi / sin(pi x)
            return LOG_PI - Math.log(Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double z = x - 1;
        double sum = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (z + i);
        }
        double t = z + LANCZOS_G + 0.5;
        return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    /** log|C(n, k)| for real n and k, through log|Gamma| (for fractional RDP orders n). */
    static double logComb(double n, double k) {
        return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
    }

    /**
     * log(erfc(x)), without underflow for large x. For x &gt;= 0 the Chebyshev fit of Numerical
     * Recipes (2nd ed., 6.2), evaluated in log space: absolute error in the logarithm below 1.3e-7
     * everywhere (checked against scipy's {@code log_ndtr}), i.e. erfc to 1.3e-7 relative, which moves
     * an epsilon by far less than the accountant's tests' tolerance.
     */
    static double logErfc(double x) {
        if (x < 0) {
            // erfc(-x) = 2 - erfc(x); erfc(x) <= 1 here, so no cancellation
            return Math.log(2 - Math.exp(logErfc(-x)));
        }
        double t = 1 / (1 + 0.5 * x);
        double poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
        return Math.log(t) - x * x + poly;
    }
}
