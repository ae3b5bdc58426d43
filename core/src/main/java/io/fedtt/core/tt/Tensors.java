package io.fedtt.core.tt;

/** Small arithmetic helpers shared by the TT classes. */
final class Tensors {

    private Tensors() {
    }

    static long checkedProduct(int[] values) {
        long p = 1;
        for (int v : values) {
            p = Math.multiplyExact(p, (long) v);
        }
        return p;
    }
}
