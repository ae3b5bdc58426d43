package io.fedtt.core.tt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the modes of a TT layer of shape [in, out].
 *
 * <p>The rule (the project's own, written to reproduce LoRETTA's published mode lists):
 * <ol>
 *   <li>target number of modes d = round(log_8(in*out)), i.e. modes near 8 on average;</li>
 *   <li>factor {@code in} and {@code out} separately, each into modes between 4 and 16, so the
 *       leading modes index the input and the trailing modes the output;</li>
 *   <li>split the mode count between the two sides to get as close to d as possible, then as
 *       evenly as possible (a = b), then most balanced overall (least sum of squared log-modes);</li>
 *   <li>each side is its most balanced factorization; input modes ascending, output modes
 *       descending, so the largest modes sit in the middle of the train.</li>
 * </ol>
 * This gives 768x64 and 64x768 -> [8,8,12,8,8], 4096x64 -> [16,16,16,4,4,4],
 * 768x768 -> [8,8,12,12,8,8]; for MiniLM: 384x64 -> [6,8,8,8,8], 384x384 -> [6,8,8,8,8,6],
 * 1536x64 -> [8,12,16,4,4,4]. When a side cannot be factored on its own (e.g. it is smaller than
 * 4 or has a prime factor above 16) the product in*out is factored as a whole instead; when that
 * fails too, {@link #balanced} throws and says why. Users can always override the modes.
 */
public final class ModeFactorizer {

    public static final int MIN_MODE = 4;
    public static final int MAX_MODE = 16;

    private ModeFactorizer() {
    }

    /** Balanced modes for a dense [in, out] matrix, as described in the class comment. */
    public static int[] balanced(int in, int out) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("TT layer size must be positive, got " + in + "x" + out);
        }
        long n = (long) in * out;
        int target = Math.max(1, (int) Math.round(Math.log(n) / Math.log(8)));

        int[] bestIn = null;
        int[] bestOut = null;
        double[] bestKey = null;
        for (int a = 1; a <= maxCount(in); a++) {
            Optional<int[]> fin = factor(in, a);
            if (fin.isEmpty()) {
                continue;
            }
            for (int b = 1; b <= maxCount(out); b++) {
                Optional<int[]> fout = factor(out, b);
                if (fout.isEmpty()) {
                    continue;
                }
                double[] key = {Math.abs(a + b - target), Math.abs(a - b),
                    logSquares(fin.get()) + logSquares(fout.get()), -a};
                if (bestKey == null || Arrays.compare(key, bestKey) < 0) {
                    bestKey = key;
                    bestIn = fin.get();
                    bestOut = fout.get();
                }
            }
        }
        if (bestIn != null) {
            int[] modes = new int[bestIn.length + bestOut.length];
            System.arraycopy(bestIn, 0, modes, 0, bestIn.length);
            for (int i = 0; i < bestOut.length; i++) {
                modes[bestIn.length + i] = bestOut[bestOut.length - 1 - i];
            }
            return modes;
        }
        // A side is not factorable on its own: factor the whole matrix instead.
        if (n > Integer.MAX_VALUE) {
            throw noFactorization(in, out, n);
        }
        int whole = (int) n;
        int[] best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (int c = 1; c <= maxCount(whole); c++) {
            Optional<int[]> f = factor(whole, c);
            if (f.isPresent() && Math.abs(c - target) < bestDistance) {
                bestDistance = Math.abs(c - target);
                best = f.get();
            }
        }
        if (best == null) {
            throw noFactorization(in, out, n);
        }
        return best;
    }

    /**
     * The most balanced factorization of {@code x} into exactly {@code count} modes between
     * {@link #MIN_MODE} and {@link #MAX_MODE}, ascending; empty if there is none.
     */
    public static Optional<int[]> factor(int x, int count) {
        if (x < 1 || count < 1) {
            return Optional.empty();
        }
        List<int[]> all = new ArrayList<>();
        enumerate(x, count, MIN_MODE, new int[count], 0, all);
        int[] best = null;
        double bestScore = Double.MAX_VALUE;
        for (int[] f : all) {
            double s = logSquares(f);
            // Ties are broken by the first (lexicographically smallest) ascending tuple.
            if (s < bestScore - 1e-12) {
                bestScore = s;
                best = f;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * Checks user-given modes for a [in, out] layer: all positive, product equal to in*out.
     * Returns a copy. The 4..16 bounds apply only to the automatic choice.
     */
    public static int[] checkOverride(int[] modes, int in, int out, String what) {
        if (modes == null || modes.length == 0) {
            throw new IllegalArgumentException(what + ": modes override is empty");
        }
        long p = 1;
        for (int m : modes) {
            if (m < 1) {
                throw new IllegalArgumentException(what + ": modes " + Arrays.toString(modes)
                        + " must all be >= 1");
            }
            p = Math.multiplyExact(p, (long) m);
        }
        if (p != (long) in * out) {
            throw new IllegalArgumentException(what + ": modes " + Arrays.toString(modes) + " multiply to " + p
                    + " but the layer is " + in + "x" + out + " = " + ((long) in * out) + " entries");
        }
        return modes.clone();
    }

    private static void enumerate(int remaining, int left, int lo, int[] acc, int pos, List<int[]> out) {
        if (left == 1) {
            if (remaining >= lo && remaining <= MAX_MODE) {
                acc[pos] = remaining;
                out.add(acc.clone());
            }
            return;
        }
        for (int f = lo; f <= MAX_MODE; f++) {
            if (remaining % f != 0) {
                continue;
            }
            int rest = remaining / f;
            // rest must be reachable with `left - 1` factors, each >= f and <= MAX_MODE
            if (Math.pow(f, left - 1) > rest + 0.5 || Math.pow(MAX_MODE, left - 1) < rest - 0.5) {
                continue;
            }
            acc[pos] = f;
            enumerate(rest, left - 1, f, acc, pos + 1, out);
        }
    }

    private static int maxCount(long x) {
        // x >= 4^count is necessary for count modes of at least 4
        int c = 0;
        long p = 1;
        while (p * MIN_MODE <= x) {
            p *= MIN_MODE;
            c++;
        }
        return Math.max(c, 1);
    }

    private static double logSquares(int[] f) {
        double s = 0;
        for (int v : f) {
            double l = Math.log(v);
            s += l * l;
        }
        return s;
    }

    private static IllegalArgumentException noFactorization(int in, int out, long n) {
        return new IllegalArgumentException("no factorization of the " + in + "x" + out + " TT layer (" + n
                + " = " + primeFactors(n) + ") into modes between " + MIN_MODE + " and " + MAX_MODE
                + "; give the modes explicitly (adapter.modes) or choose another size");
    }

    static String primeFactors(long n) {
        StringBuilder sb = new StringBuilder();
        long x = n;
        for (long p = 2; p * p <= x; p++) {
            while (x % p == 0) {
                sb.append(sb.length() == 0 ? "" : "*").append(p);
                x /= p;
            }
        }
        if (x > 1 || sb.length() == 0) {
            sb.append(sb.length() == 0 ? "" : "*").append(x);
        }
        return sb.toString();
    }
}
