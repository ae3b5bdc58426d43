package io.fedtt.core.federation.strategy;

import io.fedtt.core.federation.FederationJobSpec;

/**
 * The training parameters a round's task hands out (the per-participant seed is derived by the
 * coordinator, see {@link ParticipantSampler#trainingSeed}). Saved with the coordinator's snapshot so
 * that a restart hands out the same parameters for the open round.
 *
 * @param proximalMu FedProx's mu for the clients' local objective (0 = plain local training); stores
 *     written before it existed read as 0
 */
public record TaskConfig(int localSteps, int localEpochs, int batchSize, double learningRate, double proximalMu) {

    /** Without a proximal term. */
    public TaskConfig(int localSteps, int localEpochs, int batchSize, double learningRate) {
        this(localSteps, localEpochs, batchSize, learningRate, 0);
    }

    /** The job's parameters as written in its spec (the learning rate of round 1). */
    public static TaskConfig of(FederationJobSpec spec) {
        return forRound(spec, 1);
    }

    /** The job's parameters for {@code round}: the learning rate scaled by the job's {@link RoundDecay}. */
    public static TaskConfig forRound(FederationJobSpec spec, int round) {
        return new TaskConfig(spec.localSteps(), spec.localEpochs(), spec.batchSize(),
                spec.learningRate() * spec.learningRateDecay().factor(round, spec.rounds()), spec.proximalMu());
    }
}
