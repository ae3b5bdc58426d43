package io.fedtt.cli.predict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.fedtt.worker.model.llama.LlamaModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link Generator} on a {@link LlamaModel} (with whatever adapters are attached to it): each step
 * runs the model over every unfinished sequence's whole prefix, right padded, and appends the arg-max
 * of the logits at each row's last real position (ties go to the lowest id). No KV cache: n new tokens
 * cost n forward passes, fine for short completions from small models. Autograd is off while it runs
 * and each step's arrays are closed at the end of the step.
 *
 * <p>Stands in for the worker's GreedyDecoder (branch smollm2), which was not committed yet.
 */
final class ArgmaxDecoder implements Generator {

    private final LlamaModel model;
    private final NDManager manager;

    ArgmaxDecoder(LlamaModel model, NDManager manager) {
        this.model = model;
        this.manager = manager;
    }

    @Override
    public List<long[]> generate(List<long[]> prompts, int maxNewTokens, long... stopIds) {
        int n = prompts.size();
        long[][] seq = new long[n][];
        int[] generated = new int[n];
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) {
            seq[i] = Arrays.copyOf(prompts.get(i), prompts.get(i).length + maxNewTokens);
            done[i] = maxNewTokens == 0;
        }
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            while (true) {
                List<Integer> active = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (!done[i]) {
                        active.add(i);
                    }
                }
                if (active.isEmpty()) {
                    break;
                }
                long[][] rows = new long[active.size()][];
                int[] lengths = new int[active.size()];
                for (int a = 0; a < rows.length; a++) {
                    int i = active.get(a);
                    rows[a] = seq[i];
                    lengths[a] = prompts.get(i).length + generated[i];
                }
                long[] next = argmaxAtLast(rows, lengths);
                for (int a = 0; a < next.length; a++) {
                    int i = active.get(a);
                    seq[i][lengths[a]] = next[a];
                    generated[i]++;
                    done[i] = generated[i] == maxNewTokens || contains(stopIds, next[a]);
                }
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        List<long[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int start = prompts.get(i).length;
            out.add(Arrays.copyOfRange(seq[i], start, start + generated[i]));
        }
        return out;
    }

    private long[] argmaxAtLast(long[][] rows, int[] lengths) {
        int b = rows.length;
        int t = Arrays.stream(lengths).max().orElseThrow();
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        for (int a = 0; a < b; a++) {
            System.arraycopy(rows[a], 0, ids, a * t, lengths[a]);
            Arrays.fill(mask, a * t, a * t + lengths[a], 1L);
        }
        try (NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            Shape shape = new Shape(b, t);
            ParameterStore ps = new ParameterStore(step, false);
            NDArray hidden = model.forward(ps, new NDList(step.create(ids, shape), step.create(mask, shape)), false)
                    .singletonOrThrow();
            NDList last = new NDList(b);
            for (int a = 0; a < b; a++) {
                last.add(hidden.get(a, lengths[a] - 1));
            }
            return model.lmLogits(ps, NDArrays.stack(last), false).argMax(1).toLongArray();
        }
    }

    private static boolean contains(long[] ids, long id) {
        for (long s : ids) {
            if (s == id) {
                return true;
            }
        }
        return false;
    }
}
