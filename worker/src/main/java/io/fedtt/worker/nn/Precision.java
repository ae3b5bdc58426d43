package io.fedtt.worker.nn;

import ai.djl.ndarray.NDArray;

/** Casting a stored parameter to the compute type of the activations it meets. */
public final class Precision {

    private Precision() {
    }

    /** {@code stored} in {@code activations}' element type (itself when they already agree). */
    public static NDArray like(NDArray stored, NDArray activations) {
        return stored.getDataType() == activations.getDataType()
                ? stored : stored.toType(activations.getDataType(), false);
    }
}
