package io.fedtt.core.federation.strategy;

import io.fedtt.core.federation.FederationJobSpec;

/**
 * The training parameters a round's task hands out (the per-participant seed is derived by the
 * coordinator, see {@link ParticipantSampler#trainingSeed}). Saved with the coordinator's snapshot so
 * that a restart hands out the same parameters for the open round.
 */
public record TaskConfig(int localSteps, int localEpochs, int batchSize, double learningRate) {

    /** The job's parameters as written in its spec. */
    public static TaskConfig of(FederationJobSpec spec) {
        return new TaskConfig(spec.localSteps(), spec.localEpochs(), spec.batchSize(), spec.learningRate());
    }
}
