package io.fedtt.core.privacy.secagg;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * What one participant puts into the secure sum, in fixed point modulo 2^64: its weighted change
 * {@code w * (x - global)} over the round's trainable tensors (name order; frozen cores are not in
 * it), followed by its weight {@code w}. The sum of such vectors gives the weighted mean of the
 * updates, {@code global + sum(w * delta) / sum(w)}, which is what FedAvg computes in the clear.
 *
 * <p>Fixed point with 32 fraction bits: each weighted change is rounded to 2^-32 (2.3e-10), so after
 * dividing by the total weight the mean lands on the same float32 as plain FedAvg's for all but a
 * handful of values per round (24 bits, 6e-8, moved about one value in 250 by an ulp, enough to steer
 * eight rounds of training to a different held-out e-mail; BENCHMARKS.md). The integer part leaves
 * 2^30 (about 1.07e9) of headroom for the sum: a participant whose weight or weighted change would
 * overflow it (over 2^30 / contributors) is refused, naming the tensor, rather than wrapping silently.
 */
public final class SecureVector {

    public static final int FRACTION_BITS = 32;
    private static final double SCALE = 1L << FRACTION_BITS;
    private static final double LIMIT = (double) (1L << (62 - FRACTION_BITS));

    private SecureVector() {
    }

    /** Words in the vector of a round training {@code trainable}: their values plus the weight. */
    public static int length(AdapterState global, java.util.Collection<String> trainable) {
        long n = 1;
        for (String name : trainable) {
            n += global.get(name).size();
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("trainable tensors hold more than 2^31 values");
        }
        return (int) n;
    }

    /**
     * The participant's vector.
     *
     * @param contributors how many inputs the sum will hold (the headroom is shared among them)
     * @throws IllegalArgumentException naming the tensor whose weighted change is not finite or too large
     */
    public static long[] encode(AdapterState update, AdapterState global, java.util.Collection<String> trainable, double weight,
            int contributors) {
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be positive and finite, got " + weight);
        }
        double bound = LIMIT / Math.max(1, contributors);
        long[] out = new long[length(global, trainable)];
        int at = 0;
        for (String name : new TreeSet<>(trainable)) {
            float[] x = update.get(name).data();
            float[] g = global.get(name).data();
            if (x.length != g.length) {
                throw new IllegalArgumentException("update tensor '" + name + "' has " + x.length + " values, the global "
                        + g.length);
            }
            for (int k = 0; k < x.length; k++) {
                double v = weight * ((double) x[k] - g[k]);
                if (!(Math.abs(v) < bound)) {
                    throw new IllegalArgumentException("update tensor '" + name + "' at index " + k + ": weighted change "
                            + v + " is not finite or exceeds the secure sum's range (" + bound + " with "
                            + contributors + " contributors)");
                }
                out[at++] = Math.round(v * SCALE);
            }
        }
        if (!(weight < bound)) {
            throw new IllegalArgumentException("weight " + weight + " exceeds the secure sum's range (" + bound + ")");
        }
        out[at] = Math.round(weight * SCALE);
        return out;
    }

    /** The weighted mean of the summed updates, and their total weight. */
    public record Mean(AdapterState mean, double totalWeight) {
    }

    /**
     * Decodes a sum of vectors.
     *
     * @throws IllegalArgumentException when the summed weight is not positive (a wrapped or wrong sum)
     */
    public static Mean decode(long[] sum, AdapterState global, java.util.Collection<String> trainable) {
        if (sum.length != length(global, trainable)) {
            throw new IllegalArgumentException("the sum has " + sum.length + " words, expected "
                    + length(global, trainable));
        }
        double total = sum[sum.length - 1] / SCALE;
        if (!(total > 0)) {
            throw new IllegalArgumentException("the summed weight is " + total + ", not positive: the sum is wrong");
        }
        Map<String, Tensor> mean = new LinkedHashMap<>();
        int at = 0;
        for (String name : new TreeSet<>(trainable)) {
            Tensor g = global.get(name);
            float[] v = new float[g.size()];
            float[] gd = g.data();
            for (int k = 0; k < v.length; k++) {
                v[k] = (float) (gd[k] + (sum[at++] / SCALE) / total);
            }
            mean.put(name, new Tensor(g.shape(), v));
        }
        return new Mean(global.with(mean), total);
    }
}
