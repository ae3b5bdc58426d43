package io.fedtt.bench;

import io.fedtt.core.aggregate.StreamingFedAvg;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Aggregating 1,000 client updates of the RoBERTa-base TT adapter (99,194 floats, every tensor
 * trainable) with {@link StreamingFedAvg}, reported per update, next to a plain System.arraycopy of
 * the same bytes. Updates cycle through 128 distinct ones (50 MB, more than the 32 MiB L3 cache),
 * so, as with uploads from the network, they are not hot in cache.
 *
 * <p>The two kernel-only benchmarks back the choice of accumulator: double sums (what
 * StreamingFedAvg does, without its validation) against float sums with Kahan compensation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AggregationBenchmark {

    static final int UPDATES = 1000;
    static final int DISTINCT = 128;

    private AdapterState global;
    private TrainableMask mask;
    private AdapterState[] updates;
    private float[][][] updateArrays;
    private double[] weights;
    private float[] copyTarget;

    @Setup
    public void setup() {
        global = RobertaAdapter.global();
        mask = TrainableMask.of(global.names());
        updates = new AdapterState[DISTINCT];
        updateArrays = new float[DISTINCT][][];
        for (int i = 0; i < DISTINCT; i++) {
            updates[i] = RobertaAdapter.update(global, i);
            updateArrays[i] = updates[i].tensors().values().stream().map(Tensor::data).toArray(float[][]::new);
        }
        weights = new double[UPDATES];
        for (int i = 0; i < UPDATES; i++) {
            weights[i] = 50 + (i * 7919) % 500; // example counts
        }
        copyTarget = new float[(int) RobertaAdapter.PARAMETERS];
    }

    @Benchmark
    @OperationsPerInvocation(UPDATES)
    public AdapterState streamingFedAvg() {
        StreamingFedAvg avg = new StreamingFedAvg(global, mask);
        for (int i = 0; i < UPDATES; i++) {
            avg.add(updates[i % DISTINCT], weights[i]);
        }
        return avg.result();
    }

    @Benchmark
    @OperationsPerInvocation(UPDATES)
    public float[] arraycopy() {
        for (int i = 0; i < UPDATES; i++) {
            int off = 0;
            for (float[] t : updateArrays[i % DISTINCT]) {
                System.arraycopy(t, 0, copyTarget, off, t.length);
                off += t.length;
            }
        }
        return copyTarget;
    }

    @Benchmark
    @OperationsPerInvocation(UPDATES)
    public double[] kernelDoubleSums() {
        double[] sums = new double[copyTarget.length];
        for (int i = 0; i < UPDATES; i++) {
            double w = weights[i];
            int off = 0;
            for (float[] t : updateArrays[i % DISTINCT]) {
                for (int k = 0; k < t.length; k++) {
                    sums[off + k] += w * t[k];
                }
                off += t.length;
            }
        }
        return sums;
    }

    @Benchmark
    @OperationsPerInvocation(UPDATES)
    public float[] kernelFloatKahan() {
        float[] sums = new float[copyTarget.length];
        float[] comp = new float[copyTarget.length];
        for (int i = 0; i < UPDATES; i++) {
            float w = (float) weights[i];
            int off = 0;
            for (float[] t : updateArrays[i % DISTINCT]) {
                for (int k = 0; k < t.length; k++) {
                    float y = w * t[k] - comp[off + k];
                    float s = sums[off + k] + y;
                    comp[off + k] = (s - sums[off + k]) - y;
                    sums[off + k] = s;
                }
                off += t.length;
            }
        }
        return sums;
    }
}
