package io.fedtt.bench.federation;

import io.fedtt.bench.RobertaAdapter;
import io.fedtt.core.federation.UpdateInfo;
import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Shared pieces of the federation benchmarks: the RoBERTa-base TT adapter, updates, percentiles. */
final class BenchSupport {

    static final long PARAMETERS = RobertaAdapter.PARAMETERS;

    private BenchSupport() {
    }

    /** The 99,194-parameter RoBERTa-base TT adapter (rank 5, bottleneck 64) of FEDTT.md. */
    static AdapterState robertaAdapter() {
        return RobertaAdapter.global();
    }

    /** A client's encoded update: every tensor of the global plus small noise, with fedtt.* metadata. */
    static byte[] update(AdapterState global, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        global.tensors().forEach((name, t) -> {
            float[] v = t.data().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (rnd.nextGaussian() * 1e-3);
            }
            out.put(name, new Tensor(t.shape(), v));
        });
        UpdateInfo info = new UpdateInfo(100 + (seed % 50), 10, new EvalMetrics(0.8, 0.4, 20));
        return SafetensorsCodec.encode(new AdapterState(out, info.toMetadata()), DType.F32);
    }

    static String token(String participant) {
        return "bench-token-" + participant + "-0123456789abcdef";
    }

    /** The q-quantile (0..1) of the values, nearest rank. */
    static double percentile(List<Double> values, double q) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(q * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.delete(x);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB";
    }

    static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
