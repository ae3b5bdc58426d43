package io.fedtt.core.federation.strategy;

import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.privacy.Clipping;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.Arrays;

/**
 * The arithmetic of robust aggregation on one round's trainable tensors, flattened in the mask's
 * (sorted) name order: norm clipping of an update's distance to the global, and the coordinate-wise
 * median and trimmed mean of a set of updates. All sums are in double; every result is cast to
 * float once. Pure functions.
 */
public final class RobustRules {

    private RobustRules() {
    }

    /**
     * The trainable tensors of {@code update} as one array, in the mask's name order, after checking
     * that the update holds exactly those tensors with the global's shapes and finite values.
     *
     * @throws IllegalArgumentException naming the tensor at fault
     */
    public static float[] flatten(AdapterState global, TrainableMask mask, AdapterState update) {
        for (String name : update.names()) {
            if (!mask.isTrainable(name)) {
                throw new IllegalArgumentException("update has tensor '" + name + "', which "
                        + (global.contains(name) ? "is frozen this round" : "is not in the global adapter"));
            }
        }
        float[] out = new float[size(global, mask)];
        int off = 0;
        for (String name : mask.trainable()) {
            if (!update.contains(name)) {
                throw new IllegalArgumentException("update is missing trainable tensor '" + name + "'");
            }
            Tensor t = update.get(name);
            Tensor g = global.get(name);
            if (!g.sameShape(t)) {
                throw new IllegalArgumentException("update tensor '" + name + "' has shape "
                        + Arrays.toString(t.shape()) + " but the global has " + Arrays.toString(g.shape()));
            }
            float[] d = t.data();
            for (int k = 0; k < d.length; k++) {
                if (!Float.isFinite(d[k])) {
                    throw new IllegalArgumentException("update tensor '" + name + "' holds " + d[k] + " at index " + k);
                }
            }
            System.arraycopy(d, 0, out, off, d.length);
            off += d.length;
        }
        return out;
    }

    /** Number of trainable values: the length of a flattened update. */
    public static int size(AdapterState global, TrainableMask mask) {
        long n = 0;
        for (String name : mask.trainable()) {
            if (!global.contains(name)) {
                throw new IllegalArgumentException("trainable tensor '" + name + "' is not in the global adapter");
            }
            n += global.get(name).size();
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("trainable tensors hold more than 2^31 values; too large to aggregate");
        }
        return (int) n;
    }

    /** The global's trainable tensors flattened the same way. */
    public static float[] flattenGlobal(AdapterState global, TrainableMask mask) {
        return flatten(global, mask, global.select(mask::isTrainable));
    }

    /** The global adapter with its trainable tensors replaced by the flat array {@code values}. */
    public static AdapterState unflatten(AdapterState global, TrainableMask mask, float[] values) {
        java.util.Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        int off = 0;
        for (String name : mask.trainable()) {
            Tensor g = global.get(name);
            out.put(name, new Tensor(g.shape(), Arrays.copyOfRange(values, off, off + g.size())));
            off += g.size();
        }
        return global.with(out);
    }

    /**
     * {@code x} pulled towards {@code g} so that its distance to it is at most {@code clipNorm}:
     * {@code g + (x - g) * clipNorm / ||x - g||} when the distance exceeds it, else {@code x} itself
     * (the same array, untouched).
     */
    public static float[] clip(float[] x, float[] g, double clipNorm) {
        double norm = Clipping.distance(x, g);
        if (!(norm > clipNorm)) {
            return x;
        }
        double scale = clipNorm / norm;
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (g[i] + ((double) x[i] - g[i]) * scale);
        }
        return out;
    }

    /** Values trimmed at each end of {@code n} for a fraction: {@code floor(fraction * n)}, leaving at least one. */
    public static int trimCount(int n, double fraction) {
        int k = (int) Math.floor(fraction * n);
        return Math.max(0, Math.min(k, (n - 1) / 2));
    }

    /**
     * Per coordinate, the mean of the sorted values with {@code k} dropped at each end ({@code k = 0}:
     * the plain unweighted mean). Independent of the order of {@code xs}.
     */
    public static float[] trimmedMean(float[][] xs, int k) {
        int n = xs.length;
        if (n == 0 || 2 * k >= n) {
            throw new IllegalArgumentException("cannot trim " + k + " at each end of " + n + " updates");
        }
        return perCoordinate(xs, col -> {
            double s = 0;
            for (int j = k; j < n - k; j++) {
                s += col[j];
            }
            return (float) (s / (n - 2 * k));
        });
    }

    /**
     * Per coordinate, the median: the middle value for an odd count, the mean of the two middle ones
     * for an even count. Independent of the order of {@code xs}.
     */
    public static float[] median(float[][] xs) {
        int n = xs.length;
        if (n == 0) {
            throw new IllegalArgumentException("median of no updates");
        }
        return perCoordinate(xs, col -> n % 2 == 1 ? col[n / 2] : (float) (((double) col[n / 2 - 1] + col[n / 2]) / 2));
    }

    /** A function of each coordinate's values across the updates, given to it sorted ascending. */
    private interface SortedColumn {
        float apply(float[] sorted);
    }

    private static float[] perCoordinate(float[][] xs, SortedColumn f) {
        int n = xs.length;
        int len = xs[0].length;
        float[] out = new float[len];
        float[] col = new float[n];
        for (int i = 0; i < len; i++) {
            for (int j = 0; j < n; j++) {
                col[j] = xs[j][i];
            }
            Arrays.sort(col);
            out[i] = f.apply(col);
        }
        return out;
    }
}
