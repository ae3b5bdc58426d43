package io.fedtt.cli.simulate;

import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.core.tensor.AdapterState;

/**
 * What a simulation needs from the model: one shared frozen base model whose adapter is swapped
 * per client, training for a silo and evaluation of an adapter. The DJL implementation trains for
 * real; tests plug in a cheap one to exercise the orchestration.
 */
public interface Learner extends AutoCloseable {

    /** The architecture of the loaded base model, with the manifest's number of labels. */
    ModelConfig modelConfig();

    /** Local training for one client over its own data ({@code eval} may be null). */
    ClientLoop.Trainer trainerFor(String client, Dataset train, Dataset eval, StepListener steps);

    /** Held-out evaluation of an adapter. */
    ClassificationMetrics.Result evaluate(AdapterState adapter, Dataset eval);

    /**
     * Milliseconds the clients' rounds have spent so far in local evaluation and training steps (what a
     * round's time is compared with to find the time spent outside training); -1 when not measured.
     */
    default long trainingMillis() {
        return -1;
    }

    @Override
    default void close() {}

    /** Opens the learner for a manifest: loads its base model once. */
    @FunctionalInterface
    interface Factory {
        Learner open(io.fedtt.api.v1alpha1.FederatedFineTuneSpec spec) throws Exception;
    }

    /** Progress within a client's local training. */
    @FunctionalInterface
    interface StepListener {
        void step(String client, int round, int done, int total);
    }
}
