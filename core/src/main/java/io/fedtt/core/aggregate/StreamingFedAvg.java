package io.fedtt.core.aggregate;

import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weighted FedAvg over the trainable tensors of one round, accumulated as updates arrive: memory
 * is one double per trainable parameter whatever the number of clients.
 *
 * <p>Each update carries exactly the round's trainable tensors with the global's shapes; its weight
 * is the client's example count. {@link #result()} is the global adapter with each trainable tensor
 * replaced by the weighted mean {@code sum(w_k * x_k) / sum(w_k)}; frozen tensors and metadata stay
 * as they were. Sums are kept in double: the product of a float and an integer weight below 2^29 is
 * exact, so the only rounding is one double ulp per addition and the final cast to float: arrival
 * order moves a result by at most about one float ulp.
 *
 * <p>Thread-safe: {@code add} and {@code result} may be called from concurrent upload handlers.
 * A rejected update leaves the accumulator unchanged.
 */
public final class StreamingFedAvg {

    private final AdapterState global;
    private final List<String> names;
    private final int[][] shapes;
    private final int[] offsets;
    private final double[] sums;
    private int count;
    private double totalWeight;

    public StreamingFedAvg(AdapterState global, TrainableMask mask) {
        this.global = global;
        this.names = List.copyOf(mask.trainable());
        this.offsets = new int[names.size() + 1];
        this.shapes = new int[names.size()][];
        long total = 0;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (!global.contains(name)) {
                throw new IllegalArgumentException("trainable tensor '" + name + "' is not in the global adapter");
            }
            offsets[i] = (int) total;
            shapes[i] = global.get(name).shape();
            total += global.get(name).size();
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("trainable tensors hold more than 2^31 values; too large to average");
            }
        }
        offsets[names.size()] = (int) total;
        this.sums = new double[(int) total];
    }

    /**
     * Adds one client's update.
     *
     * @param weight the client's example count, positive and finite
     * @throws IllegalArgumentException naming the tensor at fault when the update lacks a trainable
     *     tensor, has one that is not trainable this round, has another shape, or holds NaN/Inf
     */
    public synchronized void add(AdapterState update, double weight) {
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("update weight must be a positive, finite example count, got " + weight);
        }
        float[][] xs = checked(update);
        for (int i = 0; i < xs.length; i++) {
            float[] x = xs[i];
            int off = offsets[i];
            for (int k = 0; k < x.length; k++) {
                sums[off + k] += weight * x[k];
            }
        }
        count++;
        totalWeight += weight;
    }

    /**
     * The update's arrays in trainable-name order, after checking names, shapes and finiteness. Both
     * name lists are sorted, so a lockstep walk replaces a map lookup per tensor (which, with a few
     * hundred long names sharing prefixes, cost more than the arithmetic).
     */
    private float[][] checked(AdapterState update) {
        Map<String, Tensor> tensors = update.tensors();
        if (tensors.size() != names.size()) {
            throw explainMismatch(update);
        }
        float[][] xs = new float[names.size()][];
        int i = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (!e.getKey().equals(names.get(i))) {
                throw explainMismatch(update);
            }
            Tensor t = e.getValue();
            if (!t.sameShape(shapes[i])) {
                throw new IllegalArgumentException("update tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(t.shape()) + " but the global has " + Arrays.toString(shapes[i]));
            }
            int bad = firstNonFinite(t.data());
            if (bad >= 0) {
                throw new IllegalArgumentException("update tensor '" + e.getKey() + "' holds " + t.data()[bad]
                        + " at index " + bad);
            }
            xs[i++] = t.data();
        }
        return xs;
    }

    /** The exception for an update whose names differ from the round's trainable names. */
    private IllegalArgumentException explainMismatch(AdapterState update) {
        for (String name : update.names()) {
            if (!isTrainable(name)) {
                return new IllegalArgumentException("update has tensor '" + name + "', which "
                        + (global.contains(name) ? "is frozen this round" : "is not in the global adapter"));
            }
        }
        for (String name : names) {
            if (!update.contains(name)) {
                return new IllegalArgumentException("update is missing trainable tensor '" + name + "'");
            }
        }
        return new IllegalArgumentException("update tensors do not match the round's trainable tensors");
    }

    private boolean isTrainable(String name) {
        return java.util.Collections.binarySearch(names, name) >= 0;
    }

    /** Index of the first NaN or infinity, or -1. A branch-free OR over exponent bits, then a search. */
    private static int firstNonFinite(float[] x) {
        int flag = 0;
        for (float v : x) {
            // The exponent field is all ones exactly for NaN and infinity; adding one exponent step
            // then carries into the sign bit.
            flag |= (Float.floatToRawIntBits(v) & 0x7F80_0000) + 0x0080_0000;
        }
        if (flag >= 0) {
            return -1;
        }
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                return i;
            }
        }
        return -1;
    }

    /** Number of updates added so far. */
    public synchronized int count() {
        return count;
    }

    /** Sum of the weights added so far. */
    public synchronized double totalWeight() {
        return totalWeight;
    }

    /**
     * The global adapter with each trainable tensor replaced by the weighted mean of the updates.
     *
     * @throws IllegalStateException when no update has been added
     */
    public synchronized AdapterState result() {
        if (count == 0) {
            throw new IllegalStateException("no updates added: nothing to average");
        }
        Map<String, Tensor> averaged = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            int off = offsets[i];
            float[] mean = new float[offsets[i + 1] - off];
            for (int k = 0; k < mean.length; k++) {
                mean[k] = (float) (sums[off + k] / totalWeight);
            }
            averaged.put(name, new Tensor(global.get(name).shape(), mean));
        }
        return global.with(averaged);
    }
}
