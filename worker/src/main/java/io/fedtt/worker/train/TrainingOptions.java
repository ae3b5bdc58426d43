package io.fedtt.worker.train;

/**
 * How local training and evaluation run, beyond what a round's task fixes (steps, batch size,
 * learning rate, seed, trainable tensors): optimizer settings, warm-up share, kernel, and the
 * evaluation batch size and cap.
 *
 * @param warmupRatio share of a round's steps spent warming the learning rate up linearly
 * @param evalBatchSize examples per inference batch
 * @param maxEvalExamples evaluate at most this many (the first ones of the split)
 * @param headRateFactor the classification head's learning rate over the task's (1: the same)
 * @param logitAdjustment tau of the classifier's logit adjustment by the local label prior (0: off)
 */
public record TrainingOptions(AdamW.Settings optimizer, double warmupRatio, AdamW.Kernel kernel,
                              int evalBatchSize, int maxEvalExamples, double headRateFactor,
                              double logitAdjustment) {

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
        if (!(headRateFactor > 0) || Double.isInfinite(headRateFactor)) {
            throw new IllegalArgumentException("headRateFactor must be > 0, got " + headRateFactor);
        }
        if (!(logitAdjustment >= 0) || Double.isInfinite(logitAdjustment)) {
            throw new IllegalArgumentException("logitAdjustment must be >= 0, got " + logitAdjustment);
        }
    }

    /** The defaults with the job's warm-up share and weight decay (the rest comes with each round's task). */
    public static TrainingOptions of(io.fedtt.core.job.JobDescription.Training training) {
        return defaults().withWarmupRatio(training.warmupRatio()).withWeightDecay(training.weightDecay())
                .withHeadRateFactor(training.headRateFactor()).withLogitAdjustment(training.logitAdjustment());
    }

    public static TrainingOptions defaults() {
        return new TrainingOptions(AdamW.Settings.defaults(), 0.0, AdamW.Kernel.FUSED, DEFAULT_EVAL_BATCH,
                Integer.MAX_VALUE, 1, 0);
    }

    public TrainingOptions withWarmupRatio(double value) {
        return new TrainingOptions(optimizer, value, kernel, evalBatchSize, maxEvalExamples, headRateFactor, logitAdjustment);
    }

    public TrainingOptions withWeightDecay(double value) {
        return new TrainingOptions(optimizer.withWeightDecay(value), warmupRatio, kernel, evalBatchSize, maxEvalExamples,
                headRateFactor, logitAdjustment);
    }

    public TrainingOptions withOptimizer(AdamW.Settings value) {
        return new TrainingOptions(value, warmupRatio, kernel, evalBatchSize, maxEvalExamples, headRateFactor, logitAdjustment);
    }

    public TrainingOptions withKernel(AdamW.Kernel value) {
        return new TrainingOptions(optimizer, warmupRatio, value, evalBatchSize, maxEvalExamples, headRateFactor, logitAdjustment);
    }

    public TrainingOptions withEvalBatchSize(int value) {
        return new TrainingOptions(optimizer, warmupRatio, kernel, value, maxEvalExamples, headRateFactor, logitAdjustment);
    }

    public TrainingOptions withMaxEvalExamples(int value) {
        return new TrainingOptions(optimizer, warmupRatio, kernel, evalBatchSize, value, headRateFactor, logitAdjustment);
    }

    public TrainingOptions withHeadRateFactor(double value) {
        return new TrainingOptions(optimizer, warmupRatio, kernel, evalBatchSize, maxEvalExamples, value, logitAdjustment);
    }

    public TrainingOptions withLogitAdjustment(double value) {
        return new TrainingOptions(optimizer, warmupRatio, kernel, evalBatchSize, maxEvalExamples, headRateFactor, value);
    }

}
