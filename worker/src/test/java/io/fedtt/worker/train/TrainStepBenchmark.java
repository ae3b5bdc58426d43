package io.fedtt.worker.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.Example;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.PretrainedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One local training step of MiniLM (batch 16 x 128 tokens, dropout on, AdamW with clipping): TT
 * adapters (rank 5, bottleneck 64, LayerNorms and TT head trainable) or the LoRA baseline (rank 8 on
 * q and v, dense head), median over measured steps after warm-up, at 1 and 2 intra-op threads; the
 * AdamW kernels; evaluation throughput; peak RSS. Writes the TT adapter it trained from to
 * {@code bench.out}/tt-adapter.safetensors, so bench/torch_train_step.py runs the same model.
 * Run through bench/train-step-bench.sh, or:
 * mvn -o -q -pl worker test -Dtest=TrainStepBenchmark -Dworker.test.excludedGroups= -Dgroups=benchmark
 */
@Tag("benchmark")
class TrainStepBenchmark {

    static final int BATCH = 16;
    static final int SEQ = 128;

    @Test
    void trainStep() throws Exception {
        String adapter = System.getProperty("bench.adapter", "tt");
        int[] threads = Arrays.stream(System.getProperty("bench.threads", "1,2").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int warmup = Integer.getInteger("bench.warmup", 3);
        int steps = Integer.getInteger("bench.steps", 10);
        Path out = Path.of(System.getProperty("bench.out", "target/bench"));
        Files.createDirectories(out);
        EngineSettings.fromEnvironment(System.getenv()).start();
        try (PretrainedModel base = MiniLm.load(SEQ)) {
            AdapterLayout layout = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), adapter.equals("lora")
                    ? AdapterConfig.lora(AdapterConfig.DEFAULT_LORA_RANK, AdapterConfig.DEFAULT_LORA_TARGETS)
                    : AdapterConfig.tt(5, 64));
            AdaptedModel model = AdaptedModel.attach(base, layout, 1);
            var initial = model.export(layout.names());
            if (adapter.equals("tt")) {
                // what the model computes with (pretrained norms, not their offsets): the PyTorch side has no base copy
                var values = new AdapterState(model.model().parameterValues(layout.names()), Map.of());
                Files.write(out.resolve("tt-adapter.safetensors"), SafetensorsCodec.encode(values, DType.F32));
            }
            Dataset data = longTexts(BATCH, 0);
            var tokens = model.tokenizer().encode(data.examples().stream().map(Example::text).toList());
            if (tokens.length() != SEQ || tokens.realTokens() != (long) BATCH * SEQ) {
                throw new AssertionError("expected a full " + BATCH + " x " + SEQ + " batch, got " + tokens.length());
            }
            System.out.printf(Locale.ROOT, "BENCH %s adapter: %,d trainable parameters in %d tensors%n", adapter,
                    layout.parameterCount(), layout.names().size());
            for (int n : threads) {
                EngineSettings.setActiveIntraOpThreads(n);
                for (AdamW.Kernel kernel : adapter.equals("tt") && n == threads[threads.length - 1]
                        ? AdamW.Kernel.values() : new AdamW.Kernel[] {AdamW.Kernel.FUSED}) {
                    model.load(initial);
                    double[] ms = stepTimes(model, data, layout.names(), warmup, steps,
                            TrainingOptions.defaults().withKernel(kernel));
                    double[] sorted = ms.clone();
                    Arrays.sort(sorted);
                    System.out.printf(Locale.ROOT, "BENCH step %s %s threads=%d batch=%d seq=%d: median %.0f ms"
                                    + " (min %.0f, max %.0f, %d steps after %d warm-up) %s%n", adapter, kernel, n, BATCH,
                            SEQ, median(sorted), sorted[0], sorted[sorted.length - 1], steps, warmup,
                            Arrays.toString(Arrays.stream(ms).mapToLong(Math::round).toArray()));
                }
            }
            System.out.printf(Locale.ROOT, "BENCH peak RSS after the training steps (VmHWM) %s: %d MiB%n", adapter,
                    peakRssKib() / 1024);
            if (adapter.equals("tt") && !Boolean.getBoolean("bench.stepsOnly")) {
                optimizerOnly(model, layout.names(), data);
                for (int n : threads) {
                    EngineSettings.setActiveIntraOpThreads(n);
                    evalThroughput(model, n);
                }
            }
        }
    }

    /** Wall time of each step after warm-up, from the step listener's timestamps. */
    static double[] stepTimes(TrainableModel model, Dataset data, List<String> trainable, int warmup, int steps,
            TrainingOptions options) {
        long[] stamps = new long[warmup + steps + 1];
        stamps[0] = System.nanoTime();
        LocalTraining.run(model, data, Tasks.steps(trainable, warmup + steps, BATCH, 5e-4, 1), options,
                (done, total, loss, lr) -> stamps[done] = System.nanoTime());
        double[] ms = new double[steps];
        for (int i = 0; i < steps; i++) {
            ms[i] = (stamps[warmup + i + 1] - stamps[warmup + i]) / 1e6;
        }
        return ms;
    }

    /** The optimizer alone: clip + AdamW over the trainable tensors, per kernel. */
    static void optimizerOnly(AdaptedModel model, List<String> names, Dataset data) {
        Map<String, Parameter> params = LocalTraining.trainableParameters(model, names);
        try {
            var tokens = model.tokenizer().encode(data.examples().stream().map(Example::text).toList().subList(0, 2));
            for (AdamW.Kernel kernel : AdamW.Kernel.values()) {
                try (AdamW opt = new AdamW(model.manager(), params, AdamW.Settings.defaults(), kernel)) {
                    double[] ms = new double[40];
                    for (int i = -5; i < ms.length; i++) {
                        try (NDManager m = model.manager().newSubManager();
                             GradientCollector c = m.getEngine().newGradientCollector()) {
                            var logits = model.logits(new ParameterStore(m, false), tokens.toNDList(m), false);
                            c.backward(CrossEntropy.perExample(logits, m.create(new long[] {0, 1})).mean());
                        }
                        long t0 = System.nanoTime();
                        opt.step(1e-6);
                        if (i >= 0) {
                            ms[i] = (System.nanoTime() - t0) / 1e6;
                        }
                    }
                    Arrays.sort(ms);
                    System.out.printf(Locale.ROOT, "BENCH optimizer %s (clip + AdamW, %d tensors): median %.2f ms%n",
                            kernel, params.size(), median(ms));
                }
            }
        } finally {
            LocalTraining.freezeAll(model);
        }
    }

    static void evalThroughput(TrainableModel model, int threads) {
        for (boolean longTexts : new boolean[] {true, false}) {
            Dataset d = longTexts ? longTexts(64, 1) : shortTexts(256);
            Evaluator.evaluate(model, d.head(32), 32, 32); // warm-up
            long t0 = System.nanoTime();
            ClassificationMetrics.Result r = Evaluator.evaluate(model, d, 32, Integer.MAX_VALUE);
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "BENCH eval threads=%d %s: %.0f examples/s (%d in %.1f s, batch 32)%n",
                    threads, longTexts ? "128-token texts" : "short texts (~12 tokens)", r.examples() / s,
                    r.examples(), s);
        }
    }

    static Dataset longTexts(int n, int offset) {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ex.add(new Example(("Message " + (i + offset) + " about a federated fine-tuning benchmark with tensor-train"
                    + " adapters and frozen pretrained encoders. ").repeat(12), i % 2));
        }
        return new Dataset("long", List.of("a", "b"), ex);
    }

    static Dataset shortTexts(int n) {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ex.add(new Example("Short note number " + i + " about lunch tomorrow, ok?", i % 2));
        }
        return new Dataset("short", List.of("a", "b"), ex);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static long peakRssKib() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
