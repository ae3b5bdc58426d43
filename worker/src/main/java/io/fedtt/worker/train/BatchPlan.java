package io.fedtt.worker.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which examples each local step trains on: the data is shuffled anew every epoch from the
 * round's seed (the same seed gives the same batches on every machine) and cut into batches.
 * With {@code localSteps}, steps run over consecutive epochs until there are enough, so a batch may
 * span two epochs; with {@code localEpochs}, each epoch ends with a possibly smaller batch.
 */
public final class BatchPlan {

    private final List<int[]> batches;

    private BatchPlan(List<int[]> batches) {
        this.batches = batches;
    }

    /**
     * @param size examples in the local training set
     * @param localSteps steps to run (> 0), or 0 to run {@code localEpochs} passes instead
     */
    public static BatchPlan of(int size, int batchSize, int localSteps, int localEpochs, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("no training examples");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (localSteps < 0 || localEpochs < 0 || (localSteps == 0) == (localEpochs == 0)) {
            throw new IllegalArgumentException("set exactly one of localSteps and localEpochs (> 0), got steps "
                    + localSteps + ", epochs " + localEpochs);
        }
        int b = Math.min(batchSize, size);
        List<int[]> out = new ArrayList<>();
        if (localSteps > 0) {
            int[] current = new int[b];
            int filled = 0;
            for (int epoch = 0; out.size() < localSteps; epoch++) {
                for (int i : permutation(size, seed, epoch)) {
                    current[filled++] = i;
                    if (filled == b) {
                        out.add(current);
                        current = new int[b];
                        filled = 0;
                        if (out.size() == localSteps) {
                            break;
                        }
                    }
                }
            }
        } else {
            for (int epoch = 0; epoch < localEpochs; epoch++) {
                int[] p = permutation(size, seed, epoch);
                for (int from = 0; from < size; from += b) {
                    out.add(Arrays.copyOfRange(p, from, Math.min(size, from + b)));
                }
            }
        }
        return new BatchPlan(out);
    }

    /** A Fisher-Yates shuffle of 0..size-1 from a stream fixed by (seed, epoch). */
    static int[] permutation(int size, long seed, int epoch) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = size - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    public int steps() {
        return batches.size();
    }

    /** Example indices of step {@code t} (0-based). */
    public int[] batch(int t) {
        return batches.get(t).clone();
    }

    /** Examples processed over all steps (an example seen twice counts twice). */
    public long examplesSeen() {
        long n = 0;
        for (int[] b : batches) {
            n += b.length;
        }
        return n;
    }
}
