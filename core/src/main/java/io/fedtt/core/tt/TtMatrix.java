package io.fedtt.core.tt;

import io.fedtt.core.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/** Dense reconstruction of a TT layer's weight, exactly as FEDTT.md defines it. */
public final class TtMatrix {

    private TtMatrix() {
    }

    /**
     * Contracts the cores left to right (last axis of the running product with the first axis of
     * the next core) and reshapes the result row-major to [in, out], so that y = x·W + b.
     *
     * @param cores G_1..G_d with shapes [r_{i-1}, k_i, r_i], r_0 = r_d = 1
     * @throws IllegalArgumentException naming the first core whose shape is wrong
     */
    public static Tensor reconstruct(List<Tensor> cores, int in, int out) {
        TtShape shape = shapeOf(cores, in, out);
        // running product P: [rows, r] row-major, rows = k_1*...*k_i
        double[] p = new double[] {1.0};
        int rows = 1;
        int r = 1;
        for (int i = 0; i < shape.order(); i++) {
            Tensor core = cores.get(i);
            int k = shape.mode(i);
            int rn = shape.rank(i + 1);
            float[] g = core.data();
            double[] next = new double[Math.multiplyExact(Math.multiplyExact(rows, k), rn)];
            int kr = k * rn;
            // next[(row*k + m)*rn + b] = sum_a P[row, a] * G[a, m, b]
            for (int row = 0; row < rows; row++) {
                int base = row * kr;
                for (int a = 0; a < r; a++) {
                    double pa = p[row * r + a];
                    if (pa == 0.0) {
                        continue;
                    }
                    int gOff = a * kr;
                    for (int j = 0; j < kr; j++) {
                        next[base + j] += pa * g[gOff + j];
                    }
                }
            }
            p = next;
            rows *= k;
            r = rn;
        }
        float[] w = new float[p.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) p[i];
        }
        return new Tensor(new int[] {in, out}, w);
    }

    /**
     * Checks that the cores form a valid train for an [in, out] matrix and returns its shape.
     *
     * @throws IllegalArgumentException naming the first core at fault
     */
    public static TtShape shapeOf(List<Tensor> cores, int in, int out) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("TT matrix size must be positive, got " + in + "x" + out);
        }
        if (cores == null || cores.isEmpty()) {
            throw new IllegalArgumentException("no TT cores given for a " + in + "x" + out + " matrix");
        }
        int d = cores.size();
        int[] modes = new int[d];
        int[] ranks = new int[d + 1];
        ranks[0] = 1;
        for (int i = 0; i < d; i++) {
            Tensor c = cores.get(i);
            if (c == null) {
                throw new IllegalArgumentException("core " + i + " is missing");
            }
            int[] s = c.shape();
            if (s.length != 3) {
                throw new IllegalArgumentException("core " + i + " has shape " + Arrays.toString(s)
                        + "; a TT core must have 3 dimensions [r_in, mode, r_out]");
            }
            if (s[0] != ranks[i]) {
                throw new IllegalArgumentException("core " + i + " has shape " + Arrays.toString(s)
                        + ": its first dimension must be " + ranks[i]
                        + (i == 0 ? " (the first core starts at rank 1)" : " (core " + (i - 1) + "'s last dimension)"));
            }
            if (s[1] < 1 || s[2] < 1) {
                throw new IllegalArgumentException("core " + i + " has an empty dimension: " + Arrays.toString(s));
            }
            modes[i] = s[1];
            ranks[i + 1] = s[2];
        }
        if (ranks[d] != 1) {
            throw new IllegalArgumentException("core " + (d - 1) + " has shape " + Arrays.toString(cores.get(d - 1).shape())
                    + ": the last core must end at rank 1");
        }
        long product = Tensors.checkedProduct(modes);
        if (product != (long) in * out) {
            throw new IllegalArgumentException("cores have modes " + Arrays.toString(modes) + " multiplying to "
                    + product + ", but the matrix is " + in + "x" + out + " = " + ((long) in * out) + " entries");
        }
        return TtShape.withRanks(modes, ranks);
    }
}
