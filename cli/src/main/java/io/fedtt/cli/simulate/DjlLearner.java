package io.fedtt.cli.simulate;

import io.fedtt.api.mapping.JobDescriptions;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.job.JobDescription;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.job.ModelLoader;
import io.fedtt.worker.model.PretrainedModel;
import io.fedtt.worker.train.AdaptedModel;
import io.fedtt.worker.train.EngineThread;
import io.fedtt.worker.train.Evaluator;
import io.fedtt.worker.train.LocalTrainer;
import io.fedtt.worker.train.TrainingOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real learner of {@code fedtt simulate}: one pretrained encoder loaded once per process, the
 * method's adapters attached to it, and every client's rounds and every evaluation run one at a time
 * on that one model (the clients' adapters differ only in the values loaded before each round).
 */
public final class DjlLearner implements Learner {

    /** The job id simulated learners' descriptions carry; nothing reads it. */
    private static final JobId SIMULATION = new JobId("default", "simulate");

    private final AdaptedModel classifier;
    private final ModelConfig modelConfig;
    private final TrainingOptions options;
    private final AtomicLong trainingMillis = new AtomicLong();

    private DjlLearner(AdaptedModel classifier, ModelConfig modelConfig, TrainingOptions options) {
        this.classifier = classifier;
        this.modelConfig = modelConfig;
        this.options = options;
    }

    /**
     * A factory that loads the base model on first use and keeps it for the next method of a
     * comparison; each {@link #open} attaches that method's adapters.
     */
    public static Factory factory(Path cacheDir, int threads, Map<String, String> env) {
        return new Factory() {
            private PretrainedModel encoder;
            private String loaded;

            @Override
            public synchronized Learner open(FederatedFineTuneSpec spec) throws Exception {
                // The same resolved description a worker pod gets (defaults, architecture, adapter, seed).
                JobDescription job = JobDescriptions.forSimulation(SIMULATION, spec);
                String key = job.model().uri() + "@" + job.model().maxSequenceLength();
                if (encoder == null || !key.equals(loaded)) {
                    if (encoder != null) {
                        encoder.close();
                    }
                    ModelLoader.startEngine(EngineSettings.threads(threads));
                    encoder = new ModelLoader(env, cacheDir).loadModel(job.model());
                    loaded = key;
                } else {
                    ModelLoader.verify(job.model(), encoder);
                }
                AdaptedModel classifier = ModelLoader.attach(encoder, job);
                return new DjlLearner(classifier, job.model().architecture(), TrainingOptions.of(job.training()));
            }
        };
    }

    @Override
    public ModelConfig modelConfig() {
        return modelConfig;
    }

    @Override
    public ClientLoop.Trainer trainerFor(String client, Dataset train, Dataset eval, StepListener steps) {
        int[] round = {0};
        LocalTrainer local = new LocalTrainer(classifier, train, eval, options,
                (done, total, loss, lr) -> steps.step(client, round[0], done, total));
        return (task, global) -> {
            round[0] = task.round();
            ClientLoop.LocalResult result = local.train(task, global);
            LocalTrainer.RoundReport report = local.lastRound();
            trainingMillis.addAndGet(report.training().millis() + report.evalMillis());
            return result;
        };
    }

    @Override
    public long trainingMillis() {
        return trainingMillis.get();
    }

    @Override
    public ClassificationMetrics.Result evaluate(AdapterState adapter, Dataset eval) {
        return EngineThread.call(() -> {
            synchronized (classifier) { // the same lock LocalTrainer takes: one model, one user at a time
                classifier.load(adapter);
                return Evaluator.evaluate(classifier, eval, options);
            }
        });
    }

    @Override
    public void close() {
        synchronized (classifier) {
            classifier.model().detach();
        }
    }
}
