package io.fedtt.worker.train;

import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.tensor.DType;
import java.util.List;

/** Round tasks for tests. */
final class Tasks {

    private Tasks() {
    }

    static RoundTask steps(List<String> trainable, int steps, int batch, double lr, long seed) {
        return new RoundTask("test/job", 1, 0, 1, "digest", trainable, steps, 0, batch, lr, seed, Long.MAX_VALUE,
                DType.F32);
    }

    /** {@link #steps} with FedProx's mu. */
    static RoundTask proximal(List<String> trainable, int steps, int batch, double lr, long seed, double mu) {
        return steps(trainable, steps, batch, lr, seed).withProximalMu(mu);
    }

    static RoundTask epochs(List<String> trainable, int epochs, int batch, double lr, long seed) {
        return new RoundTask("test/job", 1, 0, 1, "digest", trainable, 0, epochs, batch, lr, seed, Long.MAX_VALUE,
                DType.F32);
    }
}
