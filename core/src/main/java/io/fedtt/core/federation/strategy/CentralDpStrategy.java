package io.fedtt.core.federation.strategy;

import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.privacy.Clipping;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.privacy.GaussianNoise;
import io.fedtt.core.tensor.AdapterState;
import java.util.Objects;

/**
 * Central differential privacy (DP-FedAvg, McMahan et al. 2018) around another strategy's plan: the
 * plan (sampling, FedTT+ mask, task) is the inner strategy's; the aggregation is this class's.
 *
 * <p>Each accepted update's change from the round's global adapter, over the round's trainable tensors
 * only, is clipped to L2 norm {@code clipNorm} ({@link Clipping}) and added to a running sum with
 * weight 1, whatever examples it claims (weights from example counts would depend on the data, and
 * the sensitivity of the mean would no longer be {@code clipNorm / n}). At the end the sum is divided
 * by {@code n} = the number of participants a round selects (fixed by the job before any data is
 * seen, so a participant that does not deliver counts as a zero change and dropouts never raise the
 * sensitivity), Gaussian noise of standard deviation {@code noiseMultiplier x clipNorm / n} is added to
 * every trainable coordinate, and the next global is the old one plus that noisy mean. Frozen tensors
 * keep the global's values exactly: they are neither clipped in nor noised (and do not travel).
 *
 * <p>Only the sum of the clipped changes is needed, so a future secure aggregation that reveals only
 * the sum fits under it (clipping then moves to the clients). Robust rules (median, trimmed mean) look
 * at individual updates and their sensitivity is not {@code clipNorm / n}: a job cannot combine them
 * with central DP (refused by {@link io.fedtt.core.federation.FederationJobSpec}). A server optimizer
 * after this strategy is post-processing and keeps the guarantee.
 *
 * <p>Restart: the coordinator re-feeds the stored updates of the open round; noise is drawn only in
 * {@link Aggregation#result()}, and a result that was never persisted was never released.
 */
public final class CentralDpStrategy implements Strategy {

    private final Strategy planner;
    private final DifferentialPrivacy dp;
    private final int selectedPerRound;
    private final GaussianNoise noise;

    /**
     * @param planner          plans the rounds (its aggregation is not used)
     * @param selectedPerRound participants each round selects: the mean's denominator
     * @param noise            {@link GaussianNoise#secure()} in a job
     */
    public CentralDpStrategy(Strategy planner, DifferentialPrivacy dp, int selectedPerRound, GaussianNoise noise) {
        this.planner = Objects.requireNonNull(planner, "planner");
        this.dp = Objects.requireNonNull(dp, "dp");
        if (!dp.central()) {
            throw new IllegalArgumentException("CentralDpStrategy needs mode central, got " + dp.mode().wireName());
        }
        if (selectedPerRound < 1) {
            throw new IllegalArgumentException("selectedPerRound must be >= 1, got " + selectedPerRound);
        }
        this.selectedPerRound = selectedPerRound;
        this.noise = Objects.requireNonNull(noise, "noise");
    }

    @Override
    public String name() {
        return "dp-fedavg(clip=" + dp.clipNorm() + ",z=" + dp.noiseMultiplier() + ")";
    }

    @Override
    public RoundPlan configureRound(RoundContext context) {
        return planner.configureRound(context);
    }

    /** The standard deviation of the noise added to each coordinate of the mean. */
    public double noiseStd() {
        return dp.noiseMultiplier() * dp.clipNorm() / selectedPerRound;
    }

    @Override
    public Aggregation startAggregation(AdapterState global, TrainableMask mask, byte[] serverState) {
        float[] g = RobustRules.flattenGlobal(global, mask);
        double[] sum = new double[g.length];
        return new Aggregation() {
            private int added;

            @Override
            public void add(String participant, AdapterState update, double weight) {
                double[] change = Clipping.clippedChange(RobustRules.flatten(global, mask, update), g, dp.clipNorm());
                synchronized (sum) {
                    if (added >= selectedPerRound) {
                        // more updates than selected would break the mean's sensitivity; the coordinator never does this
                        throw new IllegalArgumentException("more than the " + selectedPerRound + " selected updates in one round");
                    }
                    for (int k = 0; k < sum.length; k++) {
                        sum[k] += change[k];
                    }
                    added++;
                }
            }

            @Override
            public AggregateResult result() {
                double[] mean;
                synchronized (sum) {
                    if (added == 0) {
                        throw new IllegalStateException("no updates added: nothing to aggregate");
                    }
                    mean = sum.clone();
                }
                for (int k = 0; k < mean.length; k++) {
                    mean[k] /= selectedPerRound;
                }
                noise.addTo(mean, noiseStd());
                float[] v = new float[g.length];
                for (int k = 0; k < v.length; k++) {
                    v[k] = (float) (g[k] + mean[k]);
                }
                AdapterState next = RobustRules.unflatten(global, mask, v);
                return new AggregateResult(next, FreezingPolicy.updateEnergy(global, next), null);
            }
        };
    }
}
