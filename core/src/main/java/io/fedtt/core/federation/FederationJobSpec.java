package io.fedtt.core.federation;

import io.fedtt.core.federation.strategy.AggregationRule;
import io.fedtt.core.federation.strategy.RoundDecay;
import io.fedtt.core.federation.strategy.ServerOptimizer;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.privacy.PrivacySpent;
import io.fedtt.core.privacy.secagg.SecureAggregation;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.wire.Encoding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the round coordinator needs to run one job, as plain data (no Kubernetes types): the
 * operator and {@code fedtt simulate} both map their manifest to this. Build it with {@link #builder}.
 *
 * @param minParticipants quorum: a round whose deadline passes with fewer accepted updates fails
 * @param maxRoundRetries how often a failed round is retried before the job fails
 * @param targetAccuracy stop (successfully) once a round's accuracy reaches this; NaN = off
 * @param patience stop once the best accuracy has not improved for this many rounds; 0 = off
 * @param freezing FedTT+ policy deciding each round's trainable tensors; null = everything trains
 * @param freezingName the policy's name, recorded in status and history
 * @param initialGlobal the round-0 global adapter (built by the caller with AdapterInitializer)
 * @param aggregation how updates combine into the next global adapter (FedAvg unless told otherwise)
 * @param maxExamplesPerUpdate the most training examples one update may claim (its FedAvg weight is
 *     that times the participant's weight); at most {@link UpdateInfo#MAX_EXAMPLES}, which is the default
 * @param serverOptimizer the server's step from the global towards the round's aggregate (FedAvg:
 *     take the aggregate as is, unless told otherwise)
 * @param proximalMu FedProx's mu: each client adds {@code mu (w - w_global)} to the gradient of every
 *     trainable tensor, {@code w_global} being the round's global values; 0 (the default) = off
 * @param learningRateDecay how the learning rate each round's task hands out changes over the rounds
 *     (constant unless told otherwise)
 * @param encoding how adapter values travel, both directions ({@code spec.communication.encoding});
 *     the master copy stays float32
 * @param privacy differential privacy (central: by the coordinator's strategy; local: by each client
 *     before it uploads); null = off
 * @param budgetBytes the job's byte budget, both directions, as the traffic meter counts
 *     ({@code spec.communication.budgetBytes}); 0 = none
 * @param secureAggregation secure aggregation: the coordinator learns only each round's sum of
 *     updates ({@code spec.privacy.secureAggregation}); null = off
 */
public record FederationJobSpec(
        JobId job,
        List<Participant> participants,
        Sampling sampling,
        int rounds,
        int localSteps,
        int localEpochs,
        int batchSize,
        double learningRate,
        long seed,
        int minParticipants,
        Duration roundTimeout,
        int maxRoundRetries,
        double targetAccuracy,
        int patience,
        FreezingPolicy freezing,
        String freezingName,
        Encoding encoding,
        AdapterState initialGlobal,
        AggregationRule aggregation,
        long maxExamplesPerUpdate,
        ServerOptimizer serverOptimizer,
        double proximalMu,
        RoundDecay learningRateDecay,
        DifferentialPrivacy privacy,
        long budgetBytes,
        SecureAggregation secureAggregation) {

    public FederationJobSpec {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(roundTimeout, "roundTimeout");
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(initialGlobal, "initialGlobal");
        participants = List.copyOf(participants);
        if (participants.isEmpty()) {
            throw new IllegalArgumentException("job " + job + ": needs at least one participant");
        }
        Set<String> names = new HashSet<>();
        for (Participant p : participants) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("job " + job + ": participant '" + p.name() + "' listed twice");
            }
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("job " + job + ": rounds must be >= 1, got " + rounds);
        }
        if (localSteps < 0 || localEpochs < 0 || localSteps == 0 && localEpochs == 0) {
            throw new IllegalArgumentException("job " + job + ": set localSteps or localEpochs (>= 1), got steps="
                    + localSteps + " epochs=" + localEpochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("job " + job + ": batchSize must be >= 1, got " + batchSize);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("job " + job + ": learningRate must be positive, got " + learningRate);
        }
        int perRound = sampling.perRound(participants.size());
        if (minParticipants < 1 || minParticipants > perRound) {
            throw new IllegalArgumentException("job " + job + ": minParticipants (quorum) must be in [1, " + perRound
                    + "] (participants per round), got " + minParticipants);
        }
        if (roundTimeout.isNegative() || roundTimeout.isZero()) {
            throw new IllegalArgumentException("job " + job + ": roundTimeout must be positive, got " + roundTimeout);
        }
        if (maxRoundRetries < 0) {
            throw new IllegalArgumentException("job " + job + ": maxRoundRetries must be >= 0, got " + maxRoundRetries);
        }
        if (!Double.isNaN(targetAccuracy) && !(targetAccuracy > 0 && targetAccuracy <= 1)) {
            throw new IllegalArgumentException("job " + job + ": targetAccuracy must be in (0, 1], got " + targetAccuracy);
        }
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("job " + job + ": communication.budgetBytes must be positive, got " + budgetBytes);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("job " + job + ": patience must be >= 0, got " + patience);
        }
        if (initialGlobal.names().isEmpty()) {
            throw new IllegalArgumentException("job " + job + ": the initial global adapter has no tensors");
        }
        aggregation = aggregation == null ? AggregationRule.FEDAVG : aggregation;
        serverOptimizer = serverOptimizer == null ? ServerOptimizer.FEDAVG : serverOptimizer;
        if (!(proximalMu >= 0) || Double.isInfinite(proximalMu)) {
            throw new IllegalArgumentException("job " + job + ": proximalMu must be >= 0 and finite, got " + proximalMu);
        }
        learningRateDecay = learningRateDecay == null ? RoundDecay.CONSTANT : learningRateDecay;
        if (maxExamplesPerUpdate < 1 || maxExamplesPerUpdate > UpdateInfo.MAX_EXAMPLES) {
            throw new IllegalArgumentException("job " + job + ": maxExamplesPerUpdate must be in [1, "
                    + UpdateInfo.MAX_EXAMPLES + "], got " + maxExamplesPerUpdate);
        }
        double heaviest = 0;
        for (Participant p : participants) {
            heaviest += p.weight() * maxExamplesPerUpdate;
        }
        if (!Double.isFinite(heaviest)) {
            // every update's weight (claim x participant weight) and a round's sum of them stay finite
            throw new IllegalArgumentException("job " + job + ": participant weights times maxExamplesPerUpdate ("
                    + maxExamplesPerUpdate + ") add up to more than a double holds; use smaller weights");
        }
        if (privacy != null) {
            checkPrivacy(job, privacy, aggregation, sampling.perRound(participants.size()), participants.size());
        }
        if (secureAggregation != null) {
            checkSecureAggregation(job, secureAggregation, aggregation, privacy, perRound, budgetBytes);
        }
        freezingName = freezingName == null ? (freezing == null ? "none" : freezing.getClass().getSimpleName()) : freezingName;
    }

    /**
     * Central DP needs the plain, unweighted sum of clipped changes: robust rules and aggregation-level
     * clipping are refused (DP clips with its own clipNorm). A target epsilon that one round already
     * exceeds would end the job before it starts, so it is refused too.
     */
    private static void checkPrivacy(JobId job, DifferentialPrivacy dp, AggregationRule aggregation, int perRound,
                                     int population) {
        if (dp.central() && !aggregation.isPlainFedAvg()) {
            throw new IllegalArgumentException("job " + job + ": method.aggregation " + aggregation.describe()
                    + " cannot be combined with central differential privacy, which averages clipped updates"
                    + " with equal weights and noise sized for that (use rule fedavg without clipNorm;"
                    + " privacy.differentialPrivacy.clipNorm clips)");
        }
        if (dp.hasTarget()) {
            double one = PrivacySpent.epsilon(dp, PrivacySpent.samplingRate(dp, perRound, population), 1);
            if (one > dp.targetEpsilon()) {
                throw new IllegalArgumentException("job " + job + ": privacy.differentialPrivacy.targetEpsilon "
                        + dp.targetEpsilon() + " is below the epsilon of a single round (" + String.format(java.util.Locale.ROOT, "%.4g", one)
                        + " at delta " + dp.delta() + "); raise noiseMultiplier or targetEpsilon");
            }
        }
    }

    /**
     * Secure aggregation hands the coordinator one sum per round: rules that need each update (robust
     * aggregation, central DP's per-update clipping) cannot run on it, and the byte budget's planner
     * does not yet price the protocol's messages, so those combinations are refused.
     */
    private static void checkSecureAggregation(JobId job, SecureAggregation sa, AggregationRule aggregation,
            DifferentialPrivacy privacy, int perRound, long budgetBytes) {
        try {
            sa.check(perRound);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("job " + job + ": privacy." + e.getMessage());
        }
        if (!aggregation.isPlainFedAvg()) {
            throw new IllegalArgumentException("job " + job + ": method.aggregation " + aggregation.describe()
                    + " cannot be combined with privacy.secureAggregation: the coordinator sees only the sum of a"
                    + " round's updates, and robust rules need each update (use rule fedavg)");
        }
        if (privacy != null && privacy.central()) {
            throw new IllegalArgumentException("job " + job + ": central differential privacy clips each update on"
                    + " the coordinator, which privacy.secureAggregation hides from it; use"
                    + " differentialPrivacy.mode local (each participant clips and noises before masking)");
        }
        if (budgetBytes > 0) {
            throw new IllegalArgumentException("job " + job + ": communication.budgetBytes cannot be combined with"
                    + " privacy.secureAggregation yet: the budget planner does not price the protocol's key, share"
                    + " and 64-bit masked messages");
        }
    }

    /** Whether rounds run the secure-aggregation protocol. */
    public boolean secure() {
        return secureAggregation != null;
    }

    /** Whether the coordinator adds the noise (central DP). */
    public boolean centralPrivacy() {
        return privacy != null && privacy.central();
    }

    public static Builder builder(JobId job, AdapterState initialGlobal) {
        return new Builder(job, initialGlobal);
    }

    /** Participants one round selects. */
    public int perRound() {
        return sampling.perRound(participants.size());
    }

    /**
     * The safetensors dtype of the plain (unpacked) wire, for clients that do not pack: the encoding's
     * own, or F32 for int8, which only the packed format carries.
     */
    public DType wireDType() {
        return encoding.safetensorsType() != null ? encoding.safetensorsType() : DType.F32;
    }

    public boolean crossDevice() {
        return sampling.kind() != Sampling.Kind.ALL;
    }

    /** A builder with the defaults of a small cross-silo job. */
    public static final class Builder {
        private final JobId job;
        private final AdapterState initialGlobal;
        private List<Participant> participants = new ArrayList<>();
        private Sampling sampling = Sampling.all();
        private int rounds = 10;
        private int localSteps = 10;
        private int localEpochs = 0;
        private int batchSize = 16;
        private double learningRate = 1e-4;
        private long seed = 42;
        private int minParticipants = -1;
        private Duration roundTimeout = Duration.ofMinutes(10);
        private int maxRoundRetries = 2;
        private double targetAccuracy = Double.NaN;
        private int patience = 0;
        private FreezingPolicy freezing;
        private String freezingName;
        private Encoding encoding = Encoding.FLOAT32;
        private AggregationRule aggregation = AggregationRule.FEDAVG;
        private long maxExamplesPerUpdate = UpdateInfo.MAX_EXAMPLES;
        private ServerOptimizer serverOptimizer = ServerOptimizer.FEDAVG;
        private double proximalMu = 0;
        private RoundDecay learningRateDecay = RoundDecay.CONSTANT;
        private DifferentialPrivacy privacy;
        private long budgetBytes;
        private SecureAggregation secureAggregation;

        private Builder(JobId job, AdapterState initialGlobal) {
            this.job = job;
            this.initialGlobal = initialGlobal;
        }

        public Builder participants(List<Participant> value) {
            participants = new ArrayList<>(value);
            return this;
        }

        /** Silos of weight 1. */
        public Builder silos(String... names) {
            participants = new ArrayList<>();
            for (String n : names) {
                participants.add(Participant.of(n));
            }
            return this;
        }

        public Builder sampling(Sampling value) {
            sampling = value;
            return this;
        }

        public Builder rounds(int value) {
            rounds = value;
            return this;
        }

        public Builder localSteps(int value) {
            localSteps = value;
            return this;
        }

        public Builder localEpochs(int value) {
            localEpochs = value;
            return this;
        }

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        public Builder learningRate(double value) {
            learningRate = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /** Quorum; defaults to every participant selected per round. */
        public Builder minParticipants(int value) {
            minParticipants = value;
            return this;
        }

        public Builder roundTimeout(Duration value) {
            roundTimeout = value;
            return this;
        }

        public Builder maxRoundRetries(int value) {
            maxRoundRetries = value;
            return this;
        }

        public Builder targetAccuracy(double value) {
            targetAccuracy = value;
            return this;
        }

        public Builder patience(int value) {
            patience = value;
            return this;
        }

        public Builder freezing(String name, FreezingPolicy policy) {
            freezingName = name;
            freezing = policy;
            return this;
        }

        /** The encoding carried by safetensors dtype {@code value} (F32, F16, BF16). */
        public Builder wireDType(DType value) {
            encoding = Encoding.of(value);
            return this;
        }

        public Builder encoding(Encoding value) {
            encoding = value;
            return this;
        }

        public Builder aggregation(AggregationRule value) {
            aggregation = value;
            return this;
        }

        /** The most training examples one update may claim; default {@link UpdateInfo#MAX_EXAMPLES}. */
        public Builder maxExamplesPerUpdate(long value) {
            maxExamplesPerUpdate = value;
            return this;
        }

        public Builder serverOptimizer(ServerOptimizer value) {
            serverOptimizer = value;
            return this;
        }

        /** FedProx's mu for the clients' local training; 0 (the default) = off. */
        public Builder proximalMu(double value) {
            proximalMu = value;
            return this;
        }

        /** How the learning rate changes over the rounds; default {@link RoundDecay#CONSTANT}. */
        public Builder learningRateDecay(RoundDecay value) {
            learningRateDecay = value;
            return this;
        }

        /** Differential privacy; null (the default) = off. */
        public Builder privacy(DifferentialPrivacy value) {
            privacy = value;
            return this;
        }

        /** The job's byte budget, both directions; 0 (the default) = none. */
        public Builder budgetBytes(long value) {
            budgetBytes = value;
            return this;
        }

        /** Secure aggregation; null (the default) = off. */
        public Builder secureAggregation(SecureAggregation value) {
            secureAggregation = value;
            return this;
        }

        public FederationJobSpec build() {
            int quorum = minParticipants > 0 ? minParticipants : sampling.perRound(Math.max(1, participants.size()));
            return new FederationJobSpec(job, participants, sampling, rounds, localSteps, localEpochs, batchSize,
                    learningRate, seed, quorum, roundTimeout, maxRoundRetries, targetAccuracy, patience, freezing,
                    freezingName, encoding, initialGlobal, aggregation, maxExamplesPerUpdate,
                    serverOptimizer, proximalMu, learningRateDecay, privacy, budgetBytes, secureAggregation);
        }
    }
}
