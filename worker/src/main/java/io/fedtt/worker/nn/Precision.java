package io.fedtt.worker.nn;

import ai.djl.ndarray.NDArray;

/** Casting a stored parameter to the compute type of the activations it meets. */
public final class Precision {

    private Precision() {
    }

    /**
     * {@code stored} in {@code activations}' element type (itself when they already agree). A cast
     * copy belongs to the activations' manager, so it is freed with the step's arrays instead of
     * living as long as the model's weights.
     */
    public static NDArray like(NDArray stored, NDArray activations) {
        if (stored.getDataType() == activations.getDataType()) {
            return stored;
        }
        NDArray cast = stored.toType(activations.getDataType(), false);
        cast.attach(activations.getManager());
        return cast;
    }
}
