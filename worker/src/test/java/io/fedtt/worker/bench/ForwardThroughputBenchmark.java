package io.fedtt.worker.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.worker.adapter.AdapterModel;
import io.fedtt.worker.adapter.ClassificationHead;
import io.fedtt.worker.adapter.TrainStep;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.PretrainedModel;
import io.fedtt.worker.model.TokenBatch;
import io.fedtt.worker.model.source.BuiltinModelSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Engine start, built-in model conversion, MiniLM forward throughput on 16 x 128 tokens with 1 and
 * 2 intra-op threads, and one training step (forward, backward, AdamW) with TT and LoRA adapters. Run: mvn -o -pl worker test -Dtest=ForwardThroughputBenchmark -Dworker.test.excludedGroups= -Dgroups=benchmark
 */
@Tag("benchmark")
class ForwardThroughputBenchmark {

    @Test
    void forwardThroughput(@TempDir Path cache) throws Exception {
        long t0 = System.nanoTime();
        EngineSettings.fromEnvironment(System.getenv()).start();
        long engineMs = (System.nanoTime() - t0) / 1_000_000;
        BuiltinModelSource source = new BuiltinModelSource();
        Path dir = source.resolve("builtin:all-minilm-l6-v2", cache);
        long t1 = System.nanoTime();
        try (PretrainedModel model = PretrainedModel.load(dir, 128)) {
            long loadMs = (System.nanoTime() - t1) / 1_000_000;
            System.out.printf("BENCH engine start %d ms, conversion %d ms, model load %d ms%n",
                    engineMs, source.lastConversionMillis(), loadMs);
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                texts.add(("Sample " + i + " of a federated fine-tuning benchmark with tensor-train adapters. ").repeat(12));
            }
            TokenBatch batch = model.tokenizer().encode(texts);
            if (batch.length() != 128 || batch.realTokens() != 16 * 128) {
                throw new AssertionError("expected a full 16 x 128 batch, got " + batch.batch() + " x " + batch.length());
            }
            for (int threads : new int[] {1, 2}) {
                EngineSettings.setActiveIntraOpThreads(threads);
                double[] ms = new double[7];
                for (int i = -2; i < ms.length; i++) {
                    long s = System.nanoTime();
                    try (NDManager scope = model.manager().newSubManager()) {
                        model.forward(scope, batch).singletonOrThrow().toFloatArray();
                    }
                    if (i >= 0) {
                        ms[i] = (System.nanoTime() - s) / 1e6;
                    }
                }
                Arrays.sort(ms);
                double median = ms[ms.length / 2];
                System.out.printf("BENCH forward 16x128, %d intra-op thread(s): median %.0f ms/batch, %.1f examples/s (min %.0f, max %.0f)%n",
                        threads, median, 16_000 / median, ms[0], ms[ms.length - 1]);
            }
            for (AdapterConfig config : List.of(AdapterConfig.tt(), AdapterConfig.lora(8, List.of("query", "value")))) {
                AdapterLayout layout = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), config);
                AdapterModel adapted = AdapterModel.attach(model, layout, AdapterInitializer.initialize(layout, 1),
                        ClassificationHead.Pooling.CLS);
                TrainStep step = new TrainStep(adapted, Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-4f)).build());
                for (int threads : new int[] {1, 2}) {
                    EngineSettings.setActiveIntraOpThreads(threads);
                    double[] ms = new double[5];
                    for (int i = -1; i < ms.length; i++) {
                        long s = System.nanoTime();
                        try (NDManager scope = model.manager().newSubManager()) {
                            step.run(scope, batch.toNDList(scope), scope.create(new long[16]));
                        }
                        if (i >= 0) {
                            ms[i] = (System.nanoTime() - s) / 1e6;
                        }
                    }
                    Arrays.sort(ms);
                    System.out.printf("BENCH %s train step 16x128 (%d trainable), %d thread(s): median %.0f ms (min %.0f, max %.0f)%n",
                            config.typeName(), layout.parameterCount(), threads, ms[ms.length / 2], ms[0], ms[ms.length - 1]);
                }
                adapted.detach();
            }
        }
    }
}
