package io.fedtt.worker.train;

/**
 * How local training and evaluation run, beyond what a round's task fixes (steps, batch size,
 * learning rate, seed, trainable tensors): optimizer settings, warm-up share, kernel, and the
 * evaluation batch size and cap.
 *
 * @param warmupRatio share of a round's steps spent warming the learning rate up linearly
 * @param evalBatchSize examples per inference batch
 * @param maxEvalExamples evaluate at most this many (the first ones of the split)
 * @param headLearningRate peak learning rate of the classification head's tensors; 0: the task's rate
 */
public record TrainingOptions(AdamW.Settings optimizer, double warmupRatio, AdamW.Kernel kernel,
                              int evalBatchSize, int maxEvalExamples, double headLearningRate) {

    public static final int DEFAULT_EVAL_BATCH = 32;

    public TrainingOptions {
        if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
            throw new IllegalArgumentException("warmupRatio must be in [0, 1], got " + warmupRatio);
        }
        if (evalBatchSize < 1) {
            throw new IllegalArgumentException("evalBatchSize must be >= 1, got " + evalBatchSize);
        }
        if (maxEvalExamples < 1) {
            throw new IllegalArgumentException("maxEvalExamples must be >= 1, got " + maxEvalExamples);
        }
        if (!(headLearningRate >= 0) || Double.isInfinite(headLearningRate)) {
            throw new IllegalArgumentException("headLearningRate must be >= 0, got " + headLearningRate);
        }
    }

    /** The defaults with the job's warm-up share and weight decay (the rest comes with each round's task). */
    public static TrainingOptions of(io.fedtt.core.job.JobDescription.Training training) {
        return defaults().withWarmupRatio(training.warmupRatio()).withWeightDecay(training.weightDecay())
                .withHeadLearningRate(training.headLearningRate());
    }

    public static TrainingOptions defaults() {
        return new TrainingOptions(AdamW.Settings.defaults(), 0.0, AdamW.Kernel.FUSED, DEFAULT_EVAL_BATCH,
                Integer.MAX_VALUE, 0);
    }

    public TrainingOptions withWarmupRatio(double value) {
        return new TrainingOptions(optimizer, value, kernel, evalBatchSize, maxEvalExamples, headLearningRate);
    }

    public TrainingOptions withWeightDecay(double value) {
        return new TrainingOptions(optimizer.withWeightDecay(value), warmupRatio, kernel, evalBatchSize, maxEvalExamples,
                headLearningRate);
    }

    public TrainingOptions withOptimizer(AdamW.Settings value) {
        return new TrainingOptions(value, warmupRatio, kernel, evalBatchSize, maxEvalExamples, headLearningRate);
    }

    public TrainingOptions withKernel(AdamW.Kernel value) {
        return new TrainingOptions(optimizer, warmupRatio, value, evalBatchSize, maxEvalExamples, headLearningRate);
    }

    public TrainingOptions withEvalBatchSize(int value) {
        return new TrainingOptions(optimizer, warmupRatio, kernel, value, maxEvalExamples, headLearningRate);
    }

    public TrainingOptions withMaxEvalExamples(int value) {
        return new TrainingOptions(optimizer, warmupRatio, kernel, evalBatchSize, value, headLearningRate);
    }

    public TrainingOptions withHeadLearningRate(double value) {
        return new TrainingOptions(optimizer, warmupRatio, kernel, evalBatchSize, maxEvalExamples, value);
    }

    /** The head's learning rate over the task's (1 when no head rate is set). */
    public double headRateFactor(double taskLearningRate) {
        return headLearningRate > 0 ? headLearningRate / taskLearningRate : 1;
    }
}
