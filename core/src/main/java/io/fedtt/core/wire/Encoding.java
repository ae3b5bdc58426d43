package io.fedtt.core.wire;

import io.fedtt.core.tensor.DType;
import java.util.Locale;

/**
 * How adapter values travel, both directions ({@code spec.communication.encoding}). The server's
 * master copy is always float32; a lossy encoding changes only what is on the wire. {@code float32}
 * is exact; {@code float16} and {@code bfloat16} round to nearest even (saturating at the largest
 * finite value); {@code int8} stores one float32 absolute maximum per block of {@link #INT8_BLOCK}
 * values and each value as round(x * 127 / absmax), stochastically rounded for uploads.
 */
public enum Encoding {
    FLOAT32("float32", 0, 4, DType.F32),
    FLOAT16("float16", 1, 2, DType.F16),
    BFLOAT16("bfloat16", 2, 2, DType.BF16),
    INT8("int8", 3, 1, null);

    /**
     * Values per int8 scale. Why 128: a float32 scale per block costs 4/128 = 3% on top of one byte
     * a value, while an outlier (a LayerNorm weight next to near-zero biases, an up projection's
     * near-zero last core) only coarsens the 127 values of its own block.
     */
    public static final int INT8_BLOCK = 128;

    private final String wireName;
    private final int code;
    private final int valueBytes;
    private final DType safetensorsType;

    Encoding(String wireName, int code, int valueBytes, DType safetensorsType) {
        this.wireName = wireName;
        this.code = code;
        this.valueBytes = valueBytes;
        this.safetensorsType = safetensorsType;
    }

    /** The name in the spec, results and metrics, e.g. {@code bfloat16}. */
    public String wireName() {
        return wireName;
    }

    /** The byte that names it in a packed body. */
    public int code() {
        return code;
    }

    /** Bytes of one value, scales not counted. */
    public int valueBytes() {
        return valueBytes;
    }

    /** Whether decoding gives back other values than were encoded (then updates travel as deltas). */
    public boolean lossy() {
        return this != FLOAT32;
    }

    /** The safetensors dtype that carries it, for clients of the plain safetensors wire; null for int8. */
    public DType safetensorsType() {
        return safetensorsType;
    }

    /** Block size of the scales this encoding uses; 0 when it has none. */
    public int blockSize() {
        return this == INT8 ? INT8_BLOCK : 0;
    }

    /**
     * Bytes {@code values} values take on the wire, scales included: what a transfer of a tensor of
     * that size costs (also what the LoRA-equivalent figures assume, so ratios stay like for like).
     */
    public long bytesFor(long values) {
        if (values < 0) {
            throw new IllegalArgumentException("values must be >= 0, got " + values);
        }
        long scales = this == INT8 ? (values + INT8_BLOCK - 1) / INT8_BLOCK * 4 : 0;
        return Math.addExact(Math.multiplyExact(values, (long) valueBytes), scales);
    }

    public static Encoding fromCode(int code) {
        for (Encoding e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }

    /**
     * The encoding named {@code name} ({@code float32}, {@code float16}, {@code bfloat16}, {@code int8}).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Encoding parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Encoding e : values()) {
            if (e.wireName.equals(n)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown encoding '" + name + "'; use float32, float16, bfloat16 or int8");
    }

    /** The encoding that carries safetensors dtype {@code d} (F32, F16, BF16). */
    public static Encoding of(DType d) {
        return switch (d) {
            case F32 -> FLOAT32;
            case F16 -> FLOAT16;
            case BF16 -> BFLOAT16;
        };
    }
}
