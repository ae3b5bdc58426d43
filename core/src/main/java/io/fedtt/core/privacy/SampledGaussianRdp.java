package io.fedtt.core.privacy;

/**
 * The Rényi differential privacy of one step of the sampled Gaussian mechanism (Mironov, Talwar and
 * Zhang, "Rényi Differential Privacy of the Sampled Gaussian Mechanism", 2019): each record (here: each
 * participant) is included independently with probability {@code q}, the included contributions are
 * summed with L2 sensitivity 1, and Gaussian noise of standard deviation {@code sigma} is added.
 * The neighbouring relation is add-or-remove-one.
 *
 * <p>RDP at order alpha is {@code log(A_alpha) / (alpha - 1)}, where {@code A_alpha} is the
 * alpha-th moment of the ratio of the mixture {@code (1-q) N(0, sigma^2) + q N(1, sigma^2)} to
 * {@code N(0, sigma^2)}. For integer alpha, {@code A_alpha} is the finite binomial sum of Section 3.2;
 * for fractional alpha the two convergent series of Section 3.3, each term weighted by an erfc, summed
 * until both tails are negligible (as TF-Privacy/dp-accounting do, giving up after 1,000 terms and
 * then reporting the order as infinite, i.e. unusable). With q = 1 there is no sampling and the
 * Gaussian mechanism's {@code alpha / (2 sigma^2)} holds. Pure functions.
 */
public final class SampledGaussianRdp {

    private static final int MAX_FRACTIONAL_TERMS = 1000;

    private SampledGaussianRdp() {
    }

    /**
     * RDP of one step at order {@code alpha} &gt; 1.
     *
     * @param q     sampling rate in [0, 1]
     * @param sigma noise multiplier (noise standard deviation over L2 sensitivity), &gt;= 0
     * @return the RDP epsilon at {@code alpha}, possibly +infinity
     */
    public static double rdp(double q, double sigma, double alpha) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate q must be in [0, 1], got " + q);
        }
        if (!(sigma >= 0)) {
            throw new IllegalArgumentException("noise multiplier must be >= 0, got " + sigma);
        }
        if (!(alpha > 1)) {
            throw new IllegalArgumentException("RDP order must be > 1, got " + alpha);
        }
        if (q == 0) {
            return 0;
        }
        if (sigma == 0 || Double.isInfinite(alpha)) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1) {
            return alpha / (2 * sigma * sigma);
        }
        double logA = alpha == Math.rint(alpha) && alpha < Integer.MAX_VALUE
                ? logAInteger(q, sigma, (int) alpha)
                : logAFractional(q, sigma, alpha);
        return logA / (alpha - 1);
    }

    /** log(A_alpha) for integer alpha: sum_i C(alpha, i) q^i (1-q)^(alpha-i) exp((i^2 - i) / (2 sigma^2)). */
    static double logAInteger(double q, double sigma, int alpha) {
        double logA = Double.NEGATIVE_INFINITY;
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        for (int i = 0; i <= alpha; i++) {
            double coef = LogMath.logComb(alpha, i) + i * logQ + (alpha - i) * log1mQ;
            logA = LogMath.logAdd(logA, coef + (double) (i * (long) i - i) / (2 * sigma * sigma));
        }
        return logA;
    }

    /** log(A_alpha) for fractional alpha: the two series split at z0 (Section 3.3). */
    static double logAFractional(double q, double sigma, double alpha) {
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double lastS0 = Double.NEGATIVE_INFINITY;
        double lastS1 = Double.NEGATIVE_INFINITY;
        double sqrt2Sigma = Math.sqrt(2) * sigma;
        double twoSigma2 = 2 * sigma * sigma;
        for (int i = 0; i < MAX_FRACTIONAL_TERMS; i++) {
            double coef = LogMath.logComb(alpha, i);
            double j = alpha - i;
            double logT0 = coef + i * logQ + j * log1mQ;
            double logT1 = coef + j * logQ + i * log1mQ;
            double logE0 = Math.log(0.5) + LogMath.logErfc((i - z0) / sqrt2Sigma);
            double logE1 = Math.log(0.5) + LogMath.logErfc((z0 - j) / sqrt2Sigma);
            double s0 = logT0 + ((double) i * i - i) / twoSigma2 + logE0;
            double s1 = logT1 + (j * j - j) / twoSigma2 + logE1;
            logA0 = LogMath.logAdd(logA0, s0);
            logA1 = LogMath.logAdd(logA1, s1);
            double total = LogMath.logAdd(logA0, logA1);
            if (s0 < lastS0 && s1 < lastS1 && Math.max(s0, s1) < total - 30) {
                return total;
            }
            lastS0 = s0;
            lastS1 = s1;
        }
        return Double.POSITIVE_INFINITY;
    }
}
