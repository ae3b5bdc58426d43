package io.fedtt.bench;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Encoding and strictly decoding the RoBERTa-base TT adapter (99,194 floats) as safetensors. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CodecBenchmark {

    private AdapterState adapter;
    private byte[] f32;
    private byte[] f16;

    @Setup
    public void setup() {
        adapter = RobertaAdapter.update(RobertaAdapter.global(), 7);
        f32 = SafetensorsCodec.encode(adapter, DType.F32);
        f16 = SafetensorsCodec.encode(adapter, DType.F16);
    }

    @Benchmark
    public byte[] encodeF32() {
        return SafetensorsCodec.encode(adapter, DType.F32);
    }

    @Benchmark
    public byte[] encodeF16() {
        return SafetensorsCodec.encode(adapter, DType.F16);
    }

    @Benchmark
    public AdapterState decodeF32() {
        return SafetensorsCodec.decode(f32);
    }

    @Benchmark
    public AdapterState decodeF16() {
        return SafetensorsCodec.decode(f16);
    }
}
