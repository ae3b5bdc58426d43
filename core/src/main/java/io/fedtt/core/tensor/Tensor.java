package io.fedtt.core.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major order. Every tensor the method touches is F32 in memory;
 * F16 and BF16 exist only on the wire (see {@link DType}).
 */
public record Tensor(int[] shape, float[] data) {

    public Tensor {
        shape = shape.clone();
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        }
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(shape, new float[Math.toIntExact(numel(shape))]);
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    public int size() {
        return data.length;
    }

    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    public boolean sameShape(int[] otherShape) {
        return Arrays.equals(shape, otherShape);
    }

    /** Element-wise sum; the shapes must agree. */
    public Tensor plus(Tensor other) {
        return combine(other, 1f, "plus");
    }

    /** Element-wise difference; the shapes must agree. */
    public Tensor minus(Tensor other) {
        return combine(other, -1f, "minus");
    }

    private Tensor combine(Tensor other, float sign, String op) {
        if (!sameShape(other)) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape) + " against "
                    + Arrays.toString(other.shape));
        }
        float[] out = new float[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = data[i] + sign * other.data[i];
        }
        return new Tensor(shape.clone(), out);
    }

    public Tensor copy() {
        return new Tensor(shape, data.clone());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
