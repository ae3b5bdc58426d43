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
 * @param proximalMu FedProx's mu: add {@code mu (w - w_global)} to each trainable tensor's gradient,
 *     {@code w_global} being the values this round started from; 0 = off (and what older servers mean)
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
        DType wireDType,
        double proximalMu) {

    public RoundTask {
        trainable = List.copyOf(trainable);
        if (!(proximalMu >= 0) || Double.isInfinite(proximalMu)) {
            throw new IllegalArgumentException("proximalMu must be >= 0 and finite, got " + proximalMu);
        }
    }

    /** A task without a proximal term (plain FedAvg local training). */
    public RoundTask(String job, int round, int attempt, int totalRounds, String adapterDigest, List<String> trainable,
            int localSteps, int localEpochs, int batchSize, double learningRate, long seed, long deadlineEpochMillis,
            DType wireDType) {
        this(job, round, attempt, totalRounds, adapterDigest, trainable, localSteps, localEpochs, batchSize,
                learningRate, seed, deadlineEpochMillis, wireDType, 0);
    }

    /** This task with FedProx's {@code mu}. */
    public RoundTask withProximalMu(double mu) {
        return new RoundTask(job, round, attempt, totalRounds, adapterDigest, trainable, localSteps, localEpochs,
                batchSize, learningRate, seed, deadlineEpochMillis, wireDType, mu);
    }
}
