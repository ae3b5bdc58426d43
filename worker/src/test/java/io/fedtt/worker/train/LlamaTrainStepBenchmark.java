package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.worker.adapter.AdapterModel;
import io.fedtt.worker.adapter.ClassificationHead;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.WeightPrecision;
import io.fedtt.worker.model.checkpoint.SafetensorsCheckpoint;
import io.fedtt.worker.model.llama.LlamaConfig;
import io.fedtt.worker.model.llama.LlamaModel;
import io.fedtt.worker.model.llama.LlamaWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One causal-LM training step of a LLaMA decoder with TT adapters at the three MLP sites (FEDTT.md),
 * the DJL side of bench/llama-step-bench.sh: next-token cross-entropy over every position of a
 * batch of random token ids (no padding), backward into the adapter tensors only (base and RMSNorms
 * frozen), global-norm clipping at 1.0, AdamW (lr 5e-4, weight decay 0.01 except biases). Times
 * forward (through the loss), backward and update of each step; prints the median after warm-up at
 * each thread count, the losses (bench/torch_llama_step.py must print the same ones) and peak RSS.
 * Writes the initial adapter to {@code bench.out}/llama-tt-adapter.safetensors for the PyTorch side and,
 * with {@code bench.label}, each thread count's figures to {@code bench.out}/LABEL-THREADS.json.
 * {@code bench.profile=PREFIX} adds one step under libtorch's profiler (PREFIX-THREADS.json, a Chrome trace).
 * The checkpoint and batch come from bench/llama_bench_model.py. Run through bench/llama-step-bench.sh, or:
 * mvn -o -q -pl worker test -Dtest=LlamaTrainStepBenchmark -Dworker.test.excludedGroups=none -Dgroups=benchmark
 * -Dbench.model=target/bench/llama-model
 */
@Tag("benchmark")
class LlamaTrainStepBenchmark {

    static final ObjectMapper JSON = new ObjectMapper();
    static final double LR = 5e-4;
    static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    static final AdamW.Settings OPTIMIZER = AdamW.Settings.defaults().withWeightDecay(0.01).withMaxGradNorm(1.0);

    @Test
    void trainStep() throws Exception {
        Path dir = Path.of(System.getProperty("bench.model", "target/bench/llama-model"));
        int[] threads = Arrays.stream(System.getProperty("bench.threads", "1,2").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        int warmup = Integer.getInteger("bench.warmup", 3);
        int steps = Integer.getInteger("bench.steps", 10);
        Path out = Path.of(System.getProperty("bench.out", "target/bench"));
        String label = System.getProperty("bench.label", "");
        Files.createDirectories(out);
        EngineSettings.fromEnvironment(System.getenv()).start();
        try (NDManager manager = NDManager.newBaseManager()) {
            LlamaConfig config = LlamaConfig.read(dir.resolve("config.json"));
            LlamaModel base = LlamaWeights.load(config, SafetensorsCheckpoint.open(dir), manager, WeightPrecision.AUTO)
                    .model();
            AdapterLayout layout = AdapterLayout.of(base.modelConfig(0), AdapterConfig.tt().withTrainLayerNorm(false));
            AdapterState initial = AdapterInitializer.initialize(layout, 1);
            Files.write(out.resolve("llama-tt-adapter.safetensors"), SafetensorsCodec.encode(initial, DType.F32));
            AdapterModel model = AdapterModel.attach(base, manager, layout, initial, ClassificationHead.Pooling.MEAN);
            NDArray ids = NDList.decode(manager, Files.readAllBytes(dir.resolve("batch.safetensors"))).get("input_ids");
            NDArray mask = manager.ones(ids.getShape(), ids.getDataType());
            long seq = ids.getShape().get(1);
            long loadedRss = status("VmRSS:") / 1024;
            NDArray labels = ids.get(new NDIndex(":, 1:")).expandDims(-1).duplicate();
            System.out.printf(Locale.ROOT, "BENCH llama %s: hidden %d, %d layers, %d/%d heads, intermediate %d, vocab %d;"
                            + " batch %s; TT adapters (rank %d, bottleneck %d): %,d trainable parameters in %d tensors%n",
                    dir.getFileName(), config.hiddenSize(), config.numHiddenLayers(), config.numAttentionHeads(),
                    config.numKeyValueHeads(), config.intermediateSize(), config.vocabSize(), ids.getShape(),
                    layout.adapter().ttRank(), layout.adapter().bottleneck(), layout.parameterCount(),
                    layout.names().size());
            for (int n : threads) {
                EngineSettings.setActiveIntraOpThreads(n);
                model.load(initial);
                Map<String, Parameter> trainable = model.trainableParameters();
                double[][] phases = new double[3][steps];
                double[] total = new double[steps];
                double[] cpu = new double[steps];
                float[] losses = new float[warmup + steps];
                try (AdamW opt = new AdamW(manager, trainable, OPTIMIZER, AdamW.Kernel.FUSED)) {
                    for (int i = 0; i < warmup + steps; i++) {
                        long c0 = OS.getProcessCpuTime();
                        long t0 = System.nanoTime();
                        long[] marks = new long[2];
                        losses[i] = step(base, ids, mask, labels, seq, opt, marks);
                        long t3 = System.nanoTime();
                        long c1 = OS.getProcessCpuTime();
                        if (i >= warmup) {
                            int j = i - warmup;
                            phases[0][j] = (marks[0] - t0) / 1e6;
                            phases[1][j] = (marks[1] - marks[0]) / 1e6;
                            phases[2][j] = (t3 - marks[1]) / 1e6;
                            total[j] = (t3 - t0) / 1e6;
                            cpu[j] = (c1 - c0) / 1e6;
                        }
                    }
                    String profile = System.getProperty("bench.profile", "");
                    if (!profile.isEmpty()) { // one more step under libtorch's profiler (a Chrome trace)
                        JniUtils.startProfile(false, true, false);
                        step(base, ids, mask, labels, seq, opt, new long[2]);
                        JniUtils.stopProfile(Path.of(profile + "-" + n + ".json").toAbsolutePath().toString());
                    }
                }
                System.out.printf(Locale.ROOT, "BENCH llama step threads=%d: median %.0f ms (forward %.0f, backward %.0f,"
                                + " update %.1f; process CPU %.0f; min %.0f, max %.0f; %d steps after %d warm-up) %s%n", n, median(total),
                        median(phases[0]), median(phases[1]), median(phases[2]), median(cpu), min(total), max(total), steps, warmup,
                        Arrays.toString(Arrays.stream(total).mapToLong(Math::round).toArray()));
                StringBuilder l = new StringBuilder();
                for (float v : losses) {
                    l.append(l.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.5f", v));
                }
                System.out.printf(Locale.ROOT, "BENCH llama losses threads=%d: [%s]%n", n, l);
                if (!label.isEmpty()) { // the same fields as bench/torch_llama_step.py prints
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("impl", "djl");
                    json.put("threads", n);
                    json.put("median_ms", round1(median(total)));
                    json.put("min_ms", round1(min(total)));
                    json.put("max_ms", round1(max(total)));
                    json.put("forward_ms", round1(median(phases[0])));
                    json.put("backward_ms", round1(median(phases[1])));
                    json.put("update_ms", round1(median(phases[2])));
                    json.put("cpu_ms", round1(median(cpu)));
                    json.put("steps", Arrays.stream(total).mapToLong(Math::round).toArray());
                    double[] rounded = new double[losses.length];
                    for (int i = 0; i < losses.length; i++) {
                        rounded[i] = Math.round(losses[i] * 1e5) / 1e5;
                    }
                    json.put("losses", rounded);
                    json.put("rss_after_load_mib", loadedRss);
                    json.put("peak_rss_mib", status("VmHWM:") / 1024);
                    Files.writeString(out.resolve(label + "-" + n + ".json"), JSON.writeValueAsString(json) + "\n");
                }
            }
            System.out.printf(Locale.ROOT, "BENCH llama RSS after loading %d MiB, peak RSS (VmHWM) %d MiB%n", loadedRss,
                    status("VmHWM:") / 1024);
        }
    }

    /**
     * Forward through the loss, backward, clip + AdamW; marks[0] is the time forward ended,
     * marks[1] backward. Returns the loss.
     */
    static float step(LlamaModel base, NDArray ids, NDArray mask, NDArray labels, long seq, AdamW opt, long[] marks) {
        try (NDScope scope = new NDScope(); NDManager m = ids.getManager().newSubManager()) {
            scope.suppressNotUsedWarning();
            NDArray loss;
            try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                ParameterStore ps = new ParameterStore(m, false);
                NDArray hidden = base.forward(ps, new NDList(ids, mask), true).singletonOrThrow();
                NDArray logits = base.lmLogits(ps, hidden.get(new NDIndex(":, :{}", seq - 1)), true);
                loss = logits.logSoftmax(-1).gather(labels, -1).neg().mean();
                marks[0] = System.nanoTime();
                collector.backward(loss);
                marks[1] = System.nanoTime();
            }
            float value = loss.getFloat();
            opt.step(LR);
            return value;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** A /proc/self/status field in KiB (VmRSS:, VmHWM:). */
    static long status(String field) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
