package io.fedtt.core.federation;

import io.fedtt.core.tensor.DType;
import java.util.List;

/**
 * One round's work for one participant, as the task endpoint sends it.
 *
 * @param round 1-based round number; the client trains from the global adapter of this round
 *     ({@code GET .../rounds/{round}/adapter}), which is the result of round - 1
 * @param attempt 0 for the first try of the round, n after n failed tries (accepted updates are kept)
 * @param adapterDigest sha256 hex of the full global adapter as encoded on the wire
 * @param trainable the tensors that train and travel this round (FedTT+ mask); upload exactly these
 * @param seed a seed for this round and participant, derived from the job's seed
 * @param deadlineEpochMillis uploads after this may be too late
 */
public record RoundTask(
        String job,
        int round,
        int attempt,
        int totalRounds,
        String adapterDigest,
        List<String> trainable,
        int localSteps,
        int localEpochs,
        int batchSize,
        double learningRate,
        long seed,
        long deadlineEpochMillis,
        DType wireDType) {

    public RoundTask {
        trainable = List.copyOf(trainable);
    }
}
