package io.fedtt.worker.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy (arg-max) decoding with a {@link LlamaModel}: each step appends the most likely next token
 * to every unfinished sequence, until it emits a stop id (kept as its last generated token) or has
 * {@code maxNewTokens} new tokens.
 *
 * <p>There is no KV cache: every step runs the model over each sequence's whole prefix again, so
 * generating n tokens after a prompt of length p costs about n full forward passes over up to p + n
 * tokens. That is fine for tests and short answers from small models, not for long generations.
 *
 * <p>A batch of prompts of different lengths is run right padded, as the model expects, and each
 * row's next token is read at that row's own last real position; rows that have finished drop out
 * of the batch. The result for a prompt is therefore the same as decoding it alone (up to
 * floating-point rounding between batch shapes, which only matters at exact ties). Ties go to the
 * lowest token id.
 *
 * <p>Runs in inference mode: autograd is off for the calling thread while it runs, and every array
 * a step creates (on any manager, including 16-bit weights cast to FP32) is closed at the end of
 * that step.
 */
public final class GreedyDecoder {

    private final LlamaModel model;
    private final NDManager manager;

    /**
     * @param model   a loaded model (parameters initialized)
     * @param manager a manager on the model's device; each step works in a sub-manager of it
     */
    public GreedyDecoder(LlamaModel model, NDManager manager) {
        this.model = model;
        this.manager = manager;
    }

    /** The new tokens after one prompt (the stop id included when it ended the generation). */
    public long[] generate(long[] prompt, int maxNewTokens, long... stopIds) {
        return generate(List.of(prompt), maxNewTokens, stopIds).get(0);
    }

    /**
     * The new tokens after each prompt, in order; each ends with a stop id or has
     * {@code maxNewTokens} tokens.
     *
     * @param prompts      token ids without padding, at least one per prompt
     * @param maxNewTokens the most tokens to add to each prompt (0 returns empty arrays)
     * @param stopIds      token ids that end a sequence (e.g. the end-of-turn token); may be empty
     */
    public List<long[]> generate(List<long[]> prompts, int maxNewTokens, long... stopIds) {
        validate(prompts, maxNewTokens);
        int n = prompts.size();
        long[][] sequences = new long[n][];
        int[] generated = new int[n];
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) {
            sequences[i] = Arrays.copyOf(prompts.get(i), prompts.get(i).length + maxNewTokens);
            done[i] = maxNewTokens == 0;
        }
        boolean grad = JniUtils.isGradMode(); // per thread, and on by default in most threads
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
                int[] lengths = new int[active.size()];
                long[][] rows = new long[active.size()][];
                for (int a = 0; a < lengths.length; a++) {
                    int i = active.get(a);
                    lengths[a] = prompts.get(i).length + generated[i];
                    rows[a] = sequences[i];
                }
                long[] next = nextTokens(rows, lengths);
                for (int a = 0; a < next.length; a++) {
                    int i = active.get(a);
                    sequences[i][lengths[a]] = next[a];
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
            out.add(Arrays.copyOfRange(sequences[i], start, start + generated[i]));
        }
        return out;
    }

    /** One forward pass over the rows (the first lengths[a] ids of row a), right padded: each row's arg-max. */
    private long[] nextTokens(long[][] rows, int[] lengths) {
        int b = rows.length;
        int t = Arrays.stream(lengths).max().orElseThrow();
        long[] ids = new long[b * t]; // padding id 0: masked out, and after every real token of its row
        long[] mask = new long[b * t];
        for (int a = 0; a < b; a++) {
            System.arraycopy(rows[a], 0, ids, a * t, lengths[a]);
            Arrays.fill(mask, a * t, a * t + lengths[a], 1L);
        }
        try (NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
            scope.suppressNotUsedWarning(); // closes every array the step makes, on any manager
            Shape shape = new Shape(b, t);
            ParameterStore ps = new ParameterStore(step, false);
            NDArray hidden = model.forward(ps, new NDList(step.create(ids, shape), step.create(mask, shape)), false)
                    .singletonOrThrow();
            NDList last = new NDList(b);
            for (int a = 0; a < b; a++) {
                last.add(hidden.get(a, lengths[a] - 1));
            }
            NDArray logits = model.lmLogits(ps, NDArrays.stack(last), false); // [b, V]: only the positions used
            return logits.argMax(1).toLongArray();
        }
    }

    private void validate(List<long[]> prompts, int maxNewTokens) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to decode");
        }
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        LlamaConfig c = model.config();
        for (int i = 0; i < prompts.size(); i++) {
            long[] p = prompts.get(i);
            if (p == null || p.length == 0) {
                throw new IllegalArgumentException("prompt " + i + " is empty");
            }
            if ((long) p.length + maxNewTokens > c.maxPositionEmbeddings()) {
                throw new IllegalArgumentException("prompt " + i + " has " + p.length + " tokens; with " + maxNewTokens
                        + " new ones that exceeds max_position_embeddings " + c.maxPositionEmbeddings());
            }
            for (long id : p) {
                if (id < 0 || id >= c.vocabSize()) {
                    throw new IllegalArgumentException("prompt " + i + " has token id " + id
                            + " outside the vocabulary [0, " + c.vocabSize() + ")");
                }
            }
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
