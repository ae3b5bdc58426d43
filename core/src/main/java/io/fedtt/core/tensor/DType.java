package io.fedtt.core.tensor;

/** Element types of the adapter wire format, named as in safetensors. F16 and BF16 are wire-only. */
public enum DType {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
