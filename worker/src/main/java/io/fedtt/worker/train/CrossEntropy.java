package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;

/** Softmax cross-entropy of logits [B, C] against integer labels [B]. */
final class CrossEntropy {

    private CrossEntropy() {
    }

    /** The loss of each example, [B]. */
    static NDArray perExample(NDArray logits, NDArray labels) {
        long b = logits.getShape().get(0);
        return logits.logSoftmax(1).gather(labels.reshape(b, 1), 1).reshape(b).neg();
    }
}
