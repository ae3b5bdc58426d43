package io.fedtt.worker.nn;

import ai.djl.ndarray.NDArray;

/** Casting a stored parameter to the compute type of the activations it meets. */
public final class Precision {

    private Precision() {
    }

    /**
     * {@code stored} in {@code activations}' element type (itself when they already agree). The cast
     * copy is an ordinary result array: callers run forwards inside an {@link ai.djl.ndarray.NDScope}
     * (training steps, evaluation, decoding), which frees it with the step's other arrays. It must not be
     * attached to another manager: attaching takes an array out of its scope, and the activations may
     * live in the model's own manager (an op's result joins its first operand's), which is never closed.
     */
    public static NDArray like(NDArray stored, NDArray activations) {
        return stored.getDataType() == activations.getDataType()
                ? stored : stored.toType(activations.getDataType(), false);
    }
}
