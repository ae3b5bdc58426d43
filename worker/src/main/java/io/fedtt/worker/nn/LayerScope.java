package io.fedtt.worker.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/**
 * Runs one layer of a deep model in its own {@link NDScope}, so every array the layer makes, other
 * than its output, is released when the layer returns instead of when the whole step ends.
 *
 * <p>DJL frees an array only when its manager or scope closes, unlike PyTorch eager, which frees a
 * temporary as soon as nothing refers to it. Without this, a forward pass holds every intermediate
 * of every layer at once: in evaluation and greedy decoding that is all 30 layers' activations of a
 * SmolLM2 batch where one layer's would do. Closing a handle is safe under autograd: libtorch keeps
 * its own reference to every tensor the backward pass needs.
 */
public final class LayerScope {

    private LayerScope() {
    }

    /** The layer's output, moved into the enclosing scope (the step's), if there is one. */
    public static NDArray run(Supplier<NDList> layer) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            out = layer.get().singletonOrThrow();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }
}
