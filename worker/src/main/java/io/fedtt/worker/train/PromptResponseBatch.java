package io.fedtt.worker.train;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.fedtt.core.data.Example;
import io.fedtt.worker.model.TextTokenizer;
import java.util.List;

/**
 * Instruction-tuning sequences for a causal language model: the prompt's tokens (with the
 * tokenizer's own special tokens, e.g. LLaMA's {@code <s>}), then the response's and the
 * end-of-sequence token, cut at the maximum length and right padded. {@code targets} marks the
 * positions whose token is part of the response (or the final eos): the loss is taken there only.
 */
public record PromptResponseBatch(int batch, int length, long[] ids, long[] mask, long[] targets) {

    public static PromptResponseBatch of(TextTokenizer tokenizer, List<Example> examples, long eos) {
        int b = examples.size();
        long[][] rows = new long[b][];
        int[] promptLengths = new int[b];
        int length = 1;
        for (int i = 0; i < b; i++) {
            Example e = examples.get(i);
            long[] prompt = tokenizer.ids(e.text(), true);
            long[] response = tokenizer.ids(e.response(), false);
            int n = Math.min(tokenizer.maxLength(), prompt.length + response.length + 1);
            long[] row = new long[n];
            for (int t = 0; t < n; t++) {
                int r = t - prompt.length;
                row[t] = t < prompt.length ? prompt[t] : r < response.length ? response[r] : eos;
            }
            rows[i] = row;
            promptLengths[i] = Math.min(prompt.length, n);
            length = Math.max(length, n);
        }
        long[] ids = new long[b * length];
        long[] mask = new long[b * length];
        long[] targets = new long[b * length];
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < rows[i].length; t++) {
                ids[i * length + t] = rows[i][t];
                mask[i * length + t] = 1;
                targets[i * length + t] = t >= promptLengths[i] ? 1 : 0;
            }
        }
        return new PromptResponseBatch(b, length, ids, mask, targets);
    }

    /** (input_ids, attention_mask, targets) as INT64 [batch, length]. */
    public NDList toNDList(NDManager m) {
        Shape s = new Shape(batch, length);
        return new NDList(m.create(ids, s), m.create(mask, s), m.create(targets, s));
    }
}
