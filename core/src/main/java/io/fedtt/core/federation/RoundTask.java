package io.fedtt.core.federation;

import io.fedtt.core.tensor.DType;
import io.fedtt.core.wire.Encoding;
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
 * @param encoding how values travel in the packed format ({@code wireDType} is the plain safetensors
 *     wire's dtype for clients that do not pack)
 * @param packedDigest sha256 hex of the full global adapter as a packed body in {@code encoding}
 *     (empty from servers that do not pack)
 * @param secureThreshold with secure aggregation, the round's threshold: the update is not uploaded
 *     but masked into the round's secure sum ({@code SecureRound}), and the participant reveals shares
 *     only when at least this many survive; 0 = a plain round
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
        double proximalMu,
        Encoding encoding,
        String packedDigest,
        int secureThreshold) {

    public RoundTask {
        if (secureThreshold < 0 || secureThreshold == 1) {
            throw new IllegalArgumentException("secureThreshold must be 0 (off) or >= 2, got " + secureThreshold);
        }
        trainable = List.copyOf(trainable);
        encoding = encoding == null ? Encoding.of(wireDType) : encoding;
        packedDigest = packedDigest == null ? "" : packedDigest;
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

    /** A task of the plain safetensors wire only (no packed digest). */
    public RoundTask(String job, int round, int attempt, int totalRounds, String adapterDigest, List<String> trainable,
            int localSteps, int localEpochs, int batchSize, double learningRate, long seed, long deadlineEpochMillis,
            DType wireDType, double proximalMu) {
        this(job, round, attempt, totalRounds, adapterDigest, trainable, localSteps, localEpochs, batchSize,
                learningRate, seed, deadlineEpochMillis, wireDType, proximalMu, null, "", 0);
    }

    /** A task without secure aggregation. */
    public RoundTask(String job, int round, int attempt, int totalRounds, String adapterDigest, List<String> trainable,
            int localSteps, int localEpochs, int batchSize, double learningRate, long seed, long deadlineEpochMillis,
            DType wireDType, double proximalMu, Encoding encoding, String packedDigest) {
        this(job, round, attempt, totalRounds, adapterDigest, trainable, localSteps, localEpochs, batchSize,
                learningRate, seed, deadlineEpochMillis, wireDType, proximalMu, encoding, packedDigest, 0);
    }

    /** Whether the round runs secure aggregation. */
    public boolean secure() {
        return secureThreshold > 0;
    }

    /** This task with the trainable tensors named (a packed task carries them as a bitmap). */
    public RoundTask withTrainable(List<String> names) {
        return new RoundTask(job, round, attempt, totalRounds, adapterDigest, names, localSteps, localEpochs,
                batchSize, learningRate, seed, deadlineEpochMillis, wireDType, proximalMu, encoding, packedDigest,
                secureThreshold);
    }

    /** This task with FedProx's {@code mu}. */
    public RoundTask withProximalMu(double mu) {
        return new RoundTask(job, round, attempt, totalRounds, adapterDigest, trainable, localSteps, localEpochs,
                batchSize, learningRate, seed, deadlineEpochMillis, wireDType, mu, encoding, packedDigest, secureThreshold);
    }
}
