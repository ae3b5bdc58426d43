package io.fedtt.core.tt;

import java.util.Arrays;

/**
 * The layout of one tensor-train: modes k_1..k_d and ranks r_0..r_d with r_0 = r_d = 1.
 * Core i (0-based) has shape [r_i, k_{i+1}, r_{i+1}]; the product of the modes is the number of
 * entries of the dense matrix the train represents.
 */
public final class TtShape {

    private final int[] modes;
    private final int[] ranks;

    private TtShape(int[] modes, int[] ranks) {
        this.modes = modes;
        this.ranks = ranks;
    }

    /** All inner ranks equal to {@code rank}, outer ranks 1 (the FEDTT.md layout). */
    public static TtShape of(int[] modes, int rank) {
        if (modes == null || modes.length == 0) {
            throw new IllegalArgumentException("a tensor-train needs at least one mode");
        }
        if (rank < 1) {
            throw new IllegalArgumentException("TT rank must be >= 1, got " + rank);
        }
        int[] ranks = new int[modes.length + 1];
        Arrays.fill(ranks, rank);
        ranks[0] = 1;
        ranks[modes.length] = 1;
        return withRanks(modes, ranks);
    }

    /** Explicit ranks r_0..r_d; r_0 and r_d must be 1. */
    public static TtShape withRanks(int[] modes, int[] ranks) {
        if (modes == null || modes.length == 0) {
            throw new IllegalArgumentException("a tensor-train needs at least one mode");
        }
        if (ranks == null || ranks.length != modes.length + 1) {
            throw new IllegalArgumentException("a tensor-train with " + modes.length + " modes needs "
                    + (modes.length + 1) + " ranks, got " + (ranks == null ? "none" : Arrays.toString(ranks)));
        }
        for (int i = 0; i < modes.length; i++) {
            if (modes[i] < 1) {
                throw new IllegalArgumentException("mode " + i + " must be >= 1, got " + Arrays.toString(modes));
            }
        }
        for (int i = 0; i < ranks.length; i++) {
            if (ranks[i] < 1) {
                throw new IllegalArgumentException("rank " + i + " must be >= 1, got " + Arrays.toString(ranks));
            }
        }
        if (ranks[0] != 1 || ranks[ranks.length - 1] != 1) {
            throw new IllegalArgumentException("outer ranks must be 1, got " + Arrays.toString(ranks));
        }
        Tensors.checkedProduct(modes);
        return new TtShape(modes.clone(), ranks.clone());
    }

    /** Number of cores, d. */
    public int order() {
        return modes.length;
    }

    public int[] modes() {
        return modes.clone();
    }

    public int mode(int i) {
        return modes[i];
    }

    /** r_0..r_d. */
    public int[] ranks() {
        return ranks.clone();
    }

    public int rank(int i) {
        return ranks[i];
    }

    /** Shape of core i (0-based): [r_i, k_{i+1}, r_{i+1}] in 1-based paper notation. */
    public int[] coreShape(int i) {
        if (i < 0 || i >= modes.length) {
            throw new IndexOutOfBoundsException("core " + i + " of a " + modes.length + "-core train");
        }
        return new int[] {ranks[i], modes[i], ranks[i + 1]};
    }

    public long coreParameterCount(int i) {
        int[] s = coreShape(i);
        return (long) s[0] * s[1] * s[2];
    }

    /** Sum over cores of r_{i-1} k_i r_i. */
    public long parameterCount() {
        long n = 0;
        for (int i = 0; i < modes.length; i++) {
            n += coreParameterCount(i);
        }
        return n;
    }

    /** Product of the modes: the entries of the dense matrix. */
    public long denseSize() {
        return Tensors.checkedProduct(modes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TtShape s && Arrays.equals(modes, s.modes) && Arrays.equals(ranks, s.ranks);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(modes) + Arrays.hashCode(ranks);
    }

    @Override
    public String toString() {
        return "TtShape{modes=" + Arrays.toString(modes) + ", ranks=" + Arrays.toString(ranks) + "}";
    }
}
