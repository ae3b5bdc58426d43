package io.fedtt.core.federation.strategy;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.privacy.GaussianNoise;
import io.fedtt.core.tensor.AdapterState;

/**
 * How a federated job trains, round by round, separated from the coordinator's bookkeeping (in the
 * spirit of Flower's {@code Strategy}): {@link #configureRound} decides who trains a round, which
 * tensors train and travel, and with which task parameters; {@link #startAggregation} combines the
 * accepted updates of that round into the next global adapter plus the round's metrics. The
 * coordinator keeps everything else: deadlines, quorum, retries, validation of uploads, durability,
 * events and traffic.
 *
 * <p>The default is {@link FedAvg} (streaming weighted mean) with the job's FedTT+ freezing policy
 * deciding the mask; choose another through {@code CoordinatorOptions.withStrategy}.
 *
 * <p>Contract with the coordinator:
 * <ul>
 *   <li>{@code configureRound} is called with the coordinator's lock held, when a round opens
 *       (attempt 0) and when a failed try is retried (attempt &gt; 0). A retry keeps the updates already
 *       accepted, which were trained on the open try's mask, so a retry's plan must keep that mask
 *       ({@link RoundContext#openMask()}) and its participants must include {@link RoundContext#keep()}.
 *       It must be deterministic in its arguments: a restarted coordinator does not call it again for
 *       the open round (it restores the saved plan) but will for every later one.</li>
 *   <li>{@link Aggregation#add} is called once per accepted update, possibly from several upload
 *       threads at once, after the update has been validated against the round's mask and written to
 *       the store; after a restart the stored updates are added again, once each, in name order.</li>
 *   <li>{@link Aggregation#result} is called once, on the coordinator's driver thread, when the round
 *       closes with at least one update.</li>
 * </ul>
 *
 * <p>Room for what comes next, without changing the coordinator:
 * <ul>
 *   <li><b>Server optimizers</b> (FedAvgM, FedAdam, FedYogi): the pseudo-gradient is
 *       {@code mean(updates) - global} ({@link OptimizedStrategy} around FedAvg or a robust rule);
 *       the optimizer's moments are server-side state. It goes into
 *       {@link AggregateResult#serverState()} and comes back as the {@code serverState} argument of
 *       the next {@link #startAggregation}. The coordinator saves it in its snapshot together with the
 *       global adapter's version it belongs to, so a restart resumes with the same moments.</li>
 *   <li><b>Robust aggregation</b> ({@link RobustStrategy}: norm clipping, coordinate-wise median,
 *       trimmed mean, chosen by the job's {@link AggregationRule}): an {@link Aggregation} that keeps
 *       every update it is given instead of a running sum, and combines them in {@code result}.
 *       Restart re-feeds all stored updates, so nothing extra needs persisting.</li>
 *   <li><b>Differential privacy</b> ({@link CentralDpStrategy}): clip each update's change from the
 *       global in {@code add}, add Gaussian noise from a {@code SecureRandom} to the unweighted mean in
 *       {@code result}. The spent budget is a function of the round history
 *       ({@code PrivacyLedger}), so it needs no server state. Local DP is the clients' step
 *       ({@code LocalDpTrainer}) and leaves the strategy as it is.</li>
 *   <li><b>Secure aggregation</b>: {@code add} receives masked updates whose masks cancel in the
 *       sum, so a summing aggregation works unchanged; the key agreement and dropout recovery are a
 *       protocol step of their own (the task would carry the round's pairing), not part of this seam.</li>
 * </ul>
 */
public interface Strategy {

    /**
     * What a job runs unless the coordinator is given a strategy: {@link FedAvg} with the job's
     * freezing policy, or, when the job asks for clipping, median or trimmed mean, a
     * {@link RobustStrategy} with the same plan; with central differential privacy, that plan with
     * {@link CentralDpStrategy}'s aggregation; any of them followed by the job's server optimizer
     * ({@link OptimizedStrategy}) unless that is plain FedAvg.
     */
    static Strategy forJob(FederationJobSpec spec) {
        Strategy base = spec.aggregation().isPlainFedAvg()
                ? FedAvg.of(spec)
                : new RobustStrategy(spec.freezing(), spec.aggregation());
        if (spec.centralPrivacy()) {
            base = new CentralDpStrategy(base, spec.privacy(), spec.perRound(), GaussianNoise.secure());
        }
        return spec.serverOptimizer().isPlainFedAvg() ? base : new OptimizedStrategy(base, spec.serverOptimizer());
    }

    /** A short name for logs and status, e.g. {@code fedavg}. */
    String name();

    /**
     * The plan of one try of a round: participants, trainable mask, task parameters.
     *
     * @throws IllegalStateException when no sensible plan exists (the coordinator fails the job with it)
     */
    RoundPlan configureRound(RoundContext context);

    /**
     * Starts aggregating one round.
     *
     * @param global      the global adapter the round trains from
     * @param mask        the round's trainable tensors; updates hold exactly these
     * @param serverState what the previous round's {@link AggregateResult#serverState()} returned (null
     *                    before the first round, and always for a stateless strategy)
     */
    Aggregation startAggregation(AdapterState global, TrainableMask mask, byte[] serverState);

    /** One round's aggregation in progress. */
    interface Aggregation {

        /**
         * Adds one accepted update.
         *
         * @param weight the update's weight: the participant's training examples times its configured weight
         * @throws IllegalArgumentException when the update cannot be combined (it is then not counted)
         */
        void add(String participant, AdapterState update, double weight);

        /**
         * The next global adapter (the caller stamps its metadata) and the round's metrics.
         *
         * @throws IllegalStateException when nothing was added
         */
        AggregateResult result();
    }
}
