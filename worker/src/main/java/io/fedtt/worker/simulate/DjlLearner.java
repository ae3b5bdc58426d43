package io.fedtt.worker.simulate;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.RoundsSpec;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.worker.adapter.AdapterModel;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.DeclaredArchitecture;
import io.fedtt.worker.model.PretrainedEncoder;
import io.fedtt.worker.model.source.ModelSources;
import io.fedtt.worker.train.AdapterClassifier;
import io.fedtt.worker.train.Evaluator;
import io.fedtt.worker.train.LocalTrainer;
import io.fedtt.worker.train.TrainingOptions;
import java.nio.file.Path;
import java.util.Map;

/**
 * The real learner of {@code fedtt simulate}: one pretrained encoder loaded once per process, the
 * method's adapters attached to it, and every client's rounds and every evaluation run one at a time
 * on that one model (the clients' adapters differ only in the values loaded before each round).
 */
public final class DjlLearner implements Learner {

    private final AdapterClassifier classifier;
    private final ModelConfig modelConfig;
    private final TrainingOptions options;

    private DjlLearner(AdapterClassifier classifier, ModelConfig modelConfig, TrainingOptions options) {
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
            private PretrainedEncoder encoder;
            private String loaded;

            @Override
            public synchronized Learner open(FederatedFineTuneSpec spec) throws Exception {
                int maxLen = spec.getModel().getMaxSequenceLength() == null ? 128 : spec.getModel().getMaxSequenceLength();
                String key = spec.getModel().getUri() + "@" + maxLen;
                if (encoder == null || !key.equals(loaded)) {
                    if (encoder != null) {
                        encoder.close();
                    }
                    EngineSettings.threads(threads).start();
                    if (EngineSettings.activeIntraOpThreads() != threads) {
                        EngineSettings.setActiveIntraOpThreads(threads);
                    }
                    Path dir = ModelSources.defaults(env).resolve(spec.getModel().getUri(), cacheDir);
                    encoder = PretrainedEncoder.load(dir, maxLen);
                    loaded = key;
                }
                DeclaredArchitecture.verify(spec, encoder.config());
                ModelConfig config = AdapterModel.modelConfig(encoder.config(), spec.getModel().getLabels().size());
                AdapterLayout layout = FederationJobMapper.layout(spec, config);
                RoundsSpec r = spec.getRounds();
                AdapterClassifier classifier = AdapterClassifier.attach(encoder, layout, r.getSeed() == null ? 0 : r.getSeed());
                TrainingOptions options = TrainingOptions.of(r);
                return new DjlLearner(classifier, config, options);
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
            return local.train(task, global);
        };
    }

    @Override
    public ClassificationMetrics.Result evaluate(AdapterState adapter, Dataset eval) {
        synchronized (classifier) { // the same lock LocalTrainer takes: one model, one user at a time
            classifier.load(adapter);
            return Evaluator.evaluate(classifier, eval, options);
        }
    }

    @Override
    public void close() {
        synchronized (classifier) {
            classifier.model().detach();
        }
    }
}
