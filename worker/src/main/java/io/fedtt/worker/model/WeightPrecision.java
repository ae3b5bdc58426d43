package io.fedtt.worker.model;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * The element type frozen base weight matrices are kept in. Activations, adapters, norms and biases
 * are always fp32 (trained tensors need fp32, and the small ones cost nothing); a 16-bit matrix is
 * cast to fp32 where it is used, so a 16-bit checkpoint takes half the memory of fp32 at fp32 accuracy.
 * The 16-bit type is FP16: DJL's PyTorch engine aborts the process on BF16 arrays, and FP16 holds
 * every BF16 weight between 6e-5 and 65504 exactly (a matrix with larger values stays FP32).
 */
public enum WeightPrecision {
    /** As wide as the checkpoint stores them: a bf16/fp16 checkpoint stays 16-bit, an fp32 one fp32. */
    AUTO,
    FLOAT32,
    FLOAT16;

    /** The storage type for a tensor of {@code rank} stored as {@code fileType}. */
    public DataType storage(DataType fileType, int rank) {
        if (rank < 2) {
            return DataType.FLOAT32;
        }
        return switch (this) {
            case AUTO -> fileType;
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT16 -> DataType.FLOAT16;
        };
    }

    /** auto, float32 or float16 (also fp32, fp16). */
    public static WeightPrecision parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "float32", "fp32", "f32" -> FLOAT32;
            case "float16", "fp16", "f16", "half" -> FLOAT16;
            default -> throw new IllegalArgumentException("weight precision '" + s
                    + "' is not one of auto, float32, float16");
        };
    }
}
