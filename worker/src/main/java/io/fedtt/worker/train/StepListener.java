package io.fedtt.worker.train;

/** Progress of local training, called after every optimizer step (progress bars, logs, tests). */
@FunctionalInterface
public interface StepListener {

    StepListener NONE = (done, total, loss, learningRate) -> { };

    /**
     * @param done steps finished so far (1-based)
     * @param total steps this round will run
     * @param loss the mean cross-entropy of the step's batch
     * @param learningRate the rate the step used
     */
    void step(int done, int total, double loss, double learningRate);
}
