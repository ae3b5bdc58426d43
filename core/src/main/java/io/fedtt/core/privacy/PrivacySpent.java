package io.fedtt.core.privacy;

/**
 * How much privacy budget a job has spent, as epsilon at its declared delta: a pure function of the
 * settings, the sampling rate and the number of releases (so status, metrics and reports recompute it
 * from the round history, and nothing extra needs persisting).
 *
 * <ul>
 *   <li>Central: one release per completed round (a failed try releases nothing), sampled Gaussian
 *       with q = participants selected per round / participants in the job. q = 1 for cross-silo jobs
 *       where every silo takes part, and the analysis is then exact. A cross-device job selects a
 *       fixed number of devices per round without replacement; the accountant uses the Poisson-sampling
 *       analysis with that rate, the usual approximation in DP-FedAvg and DP-SGD practice, not a
 *       proof for fixed-size sampling.</li>
 *   <li>Local: per participant, one release per round it uploaded in, without sampling amplification
 *       (the coordinator knows who uploaded); the reported epsilon is the largest over the participants.</li>
 * </ul>
 */
public final class PrivacySpent {

    private PrivacySpent() {
    }

    /** The sampling rate the central accountant uses: selected per round over the population. */
    public static double samplingRate(DifferentialPrivacy dp, int perRound, int population) {
        if (population < 1 || perRound < 1 || perRound > population) {
            throw new IllegalArgumentException("need 1 <= perRound <= population, got " + perRound + " of " + population);
        }
        return dp.central() ? (double) perRound / population : 1.0;
    }

    /** epsilon at {@code dp.delta()} after {@code releases} releases (0 releases: 0). */
    public static double epsilon(DifferentialPrivacy dp, double q, long releases) {
        if (releases <= 0) {
            return 0;
        }
        return RdpAccountant.epsilon(q, dp.accountedNoiseMultiplier(), releases, dp.delta());
    }
}
