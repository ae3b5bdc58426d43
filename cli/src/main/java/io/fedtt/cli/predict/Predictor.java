package io.fedtt.cli.predict;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import io.fedtt.cli.predict.PredictInputs.Input;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.worker.adapter.AdapterModel;
import io.fedtt.worker.adapter.LastTokenHead;
import io.fedtt.worker.model.PretrainedModel;
import io.fedtt.worker.model.TextTokenizer;
import io.fedtt.worker.model.TokenBatch;
import io.fedtt.worker.model.llama.GreedyDecoder;
import io.fedtt.worker.model.llama.LlamaModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * The model side of {@code fedtt predict}: classification logits through an adapter's head, or greedy
 * completions (and next-token logits) from a causal LM with or without an adapter. Inputs are
 * tokenized once, sorted by token count and run in batches of similar length; results come back in
 * input order.
 */
final class Predictor {

    /** Tokenizer calls per chunk when measuring the inputs. */
    private static final int TOKENIZE_CHUNK = 256;

    /**
     * One input's result: the class logits (classification) or the next-token logits at the last
     * input position (causal LM, only when asked for); the completion's token ids (causal LM).
     */
    record Prediction(float[] logits, long[] completion) {
    }

    /** Batches done so far, out of all. */
    @FunctionalInterface
    interface Progress {
        void update(int inputsDone, int inputsTotal);
    }

    private final PretrainedModel base;
    private final AdapterModel adapter;
    private final GreedyDecoder decoder;
    private final boolean classify;

    /**
     * @param adapter   the attached adapter; required to classify, optional for a causal LM
     * @param decoder   greedy decoding on the model (adapters attached); null when classifying
     */
    Predictor(PretrainedModel base, AdapterModel adapter, GreedyDecoder decoder, boolean classify) {
        if (classify && (adapter == null || adapter.numLabels() == 0)) {
            throw new IllegalArgumentException("classification needs an adapter with a head");
        }
        if (!classify && !(base.backbone() instanceof LlamaModel)) {
            throw new IllegalArgumentException("generation needs a causal LM (LLaMA family)");
        }
        this.base = base;
        this.adapter = adapter;
        this.decoder = decoder;
        this.classify = classify;
    }

    /**
     * @param logits       causal LM: also return the next-token logits at each prompt's last position
     * @param maxNewTokens causal LM: the most tokens to generate per prompt (0: none)
     * @param stopIds      causal LM: ids that end a completion (end of sequence)
     */
    Prediction[] run(List<Input> inputs, Path inputFile, int batchSize, boolean logits, int maxNewTokens,
            long[] stopIds, Progress progress) {
        int n = inputs.size();
        long[][] ids = tokenize(inputs);
        int context = base.config().maxPositions();
        for (int i = 0; i < n; i++) {
            int line = inputs.get(i).line();
            if (ids[i].length == 0) {
                throw PredictException.invalid(inputFile + ":" + line + ": the text has no tokens");
            }
            if (!classify) {
                if ((long) ids[i].length + maxNewTokens > context) {
                    throw PredictException.invalid(inputFile + ":" + line + ": the prompt has " + ids[i].length
                            + " tokens; with --max-new-tokens " + maxNewTokens + " that exceeds the model's context of "
                            + context + " tokens");
                }
            }
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt(i -> ids[i].length)); // stable: equal lengths keep input order
        Prediction[] out = new Prediction[n];
        boolean grad = JniUtils.isGradMode(); // per thread
        JniUtils.setGradMode(false);
        try {
            for (int from = 0; from < n; from += batchSize) {
                int[] batch = new int[Math.min(batchSize, n - from)];
                for (int k = 0; k < batch.length; k++) {
                    batch[k] = order[from + k];
                }
                Prediction[] got = classify ? classify(inputs, ids, batch) : generate(ids, batch, logits, maxNewTokens, stopIds);
                for (int k = 0; k < batch.length; k++) {
                    out[batch[k]] = got[k];
                }
                progress.update(from + batch.length, n);
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        return out;
    }

    /** Each input's token ids (special tokens added, truncated to the tokenizer's maximum length). */
    private long[][] tokenize(List<Input> inputs) {
        TextTokenizer tokenizer = base.tokenizer();
        long[][] ids = new long[inputs.size()][];
        for (int from = 0; from < inputs.size(); from += TOKENIZE_CHUNK) {
            List<String> texts = inputs.subList(from, Math.min(inputs.size(), from + TOKENIZE_CHUNK)).stream()
                    .map(Input::text).toList();
            TokenBatch b = tokenizer.encode(texts);
            for (int r = 0; r < b.batch(); r++) {
                ids[from + r] = realTokens(b, r);
            }
        }
        return ids;
    }

    /** Row r's ids where the attention mask is 1, in order (whichever side the tokenizer pads). */
    private static long[] realTokens(TokenBatch b, int r) {
        long[] row = new long[b.length()];
        int k = 0;
        for (int t = 0; t < b.length(); t++) {
            int at = r * b.length() + t;
            if (b.attentionMask()[at] != 0) {
                row[k++] = b.inputIds()[at];
            }
        }
        return Arrays.copyOf(row, k);
    }

    private Prediction[] classify(List<Input> inputs, long[][] ids, int[] batch) {
        try (NDScope scope = new NDScope(); NDManager step = base.manager().newSubManager()) {
            scope.suppressNotUsedWarning(); // closes every array the batch makes, on any manager
            ParameterStore ps = new ParameterStore(step, false);
            NDList in;
            if (base.config().family() == ModelConfig.Family.LLAMA) {
                in = rightPadded(step, ids, batch); // the decoder and its last-token head expect right padding
            } else { // the tokenizer pads as the encoder expects (token types, RoBERTa's padding id)
                in = base.tokenizer().encode(Arrays.stream(batch).mapToObj(i -> inputs.get(i).text()).toList())
                        .toNDList(step);
            }
            float[] values = adapter.logits(ps, in, false).toFloatArray();
            return rows(values, batch.length, k -> null);
        }
    }

    private Prediction[] generate(long[][] ids, int[] batch, boolean logits, int maxNewTokens, long[] stopIds) {
        float[] values = null;
        if (logits) {
            LlamaModel llama = (LlamaModel) base.backbone();
            try (NDScope scope = new NDScope(); NDManager step = base.manager().newSubManager()) {
                scope.suppressNotUsedWarning();
                ParameterStore ps = new ParameterStore(step, false);
                NDList in = rightPadded(step, ids, batch);
                NDArray hidden = llama.forward(ps, in, false).singletonOrThrow();
                values = llama.lmLogits(ps, LastTokenHead.lastToken(hidden, in.get(1)), false).toFloatArray();
            }
        }
        List<long[]> prompts = new ArrayList<>(batch.length);
        for (int i : batch) {
            prompts.add(ids[i]);
        }
        List<long[]> completions = maxNewTokens == 0 ? prompts.stream().map(p -> new long[0]).toList()
                : decoder.generate(prompts, maxNewTokens, stopIds);
        return rows(values, batch.length, completions::get);
    }

    private static Prediction[] rows(float[] values, int b, IntFunction<long[]> completion) {
        Prediction[] out = new Prediction[b];
        int width = values == null ? 0 : values.length / b;
        for (int k = 0; k < b; k++) {
            out[k] = new Prediction(values == null ? null : Arrays.copyOfRange(values, k * width, (k + 1) * width),
                    completion.apply(k));
        }
        return out;
    }

    /** (input_ids, attention_mask) [b, longest], each row's tokens at 0..len-1, padding id 0 masked out. */
    private static NDList rightPadded(NDManager m, long[][] ids, int[] batch) {
        int t = 1;
        for (int i : batch) {
            t = Math.max(t, ids[i].length);
        }
        long[] tokens = new long[batch.length * t];
        long[] mask = new long[batch.length * t];
        for (int k = 0; k < batch.length; k++) {
            long[] row = ids[batch[k]];
            System.arraycopy(row, 0, tokens, k * t, row.length);
            Arrays.fill(mask, k * t, k * t + row.length, 1L);
        }
        Shape shape = new Shape(batch.length, t);
        return new NDList(m.create(tokens, shape), m.create(mask, shape));
    }
}
