package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.ParameterStore;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.Example;
import io.fedtt.core.metrics.ClassificationMetrics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Evaluation of a causal language model on prompt/response examples: the mean cross-entropy of
 * the response tokens given their prompt (token-weighted; perplexity is its exp), and the
 * exact-match rate of greedy decoding, the response's text against the generated text (whitespace
 * trimmed), on the first {@link #GENERATED_EXAMPLES} examples (decoding is the slow part).
 * Reported in a {@link ClassificationMetrics.Result}: accuracy = exact match, loss = token loss,
 * macro-F1 not applicable (NaN).
 */
final class ResponseEvaluator {

    /** How many examples greedy decoding runs on for exact match. */
    static final int GENERATED_EXAMPLES = 32;

    private ResponseEvaluator() {
    }

    static ClassificationMetrics.Result evaluate(TrainableModel model, Dataset data, int batchSize) {
        double lossSum = 0;
        double tokens = 0;
        List<Example> examples = data.examples();
        try (GradMode off = GradMode.disabled()) {
            for (int from = 0; from < examples.size(); from += batchSize) {
                List<Example> batch = examples.subList(from, Math.min(examples.size(), from + batchSize));
                try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
                    scope.suppressNotUsedWarning();
                    NDList in = PromptResponseBatch.of(model.tokenizer(), batch, model.eosTokenId()).toNDList(m);
                    NDArray logits = model.logits(new ParameterStore(m, false), new NDList(in.get(0), in.get(1)), false);
                    NDList rows = TokenLoss.perRow(logits, in.get(0), in.get(2));
                    lossSum += rows.get(0).sum().getFloat();
                    tokens += rows.get(1).sum().getFloat();
                }
            }
        }
        double exact = exactMatch(model, examples.subList(0, Math.min(GENERATED_EXAMPLES, examples.size())), batchSize);
        return new ClassificationMetrics.Result(examples.size(), exact, Double.NaN, tokens == 0 ? 0 : lossSum / tokens);
    }

    static double exactMatch(TrainableModel model, List<Example> examples, int batchSize) {
        if (examples.isEmpty()) {
            return Double.NaN;
        }
        int hits = 0;
        for (int from = 0; from < examples.size(); from += batchSize) {
            List<Example> batch = examples.subList(from, Math.min(examples.size(), from + batchSize));
            List<long[]> prompts = new ArrayList<>(batch.size());
            int longest = 1;
            for (Example e : batch) {
                prompts.add(model.tokenizer().ids(e.text(), true));
                longest = Math.max(longest, model.tokenizer().ids(e.response(), false).length + 1);
            }
            List<long[]> generated = model.generate(prompts, longest);
            for (int i = 0; i < batch.size(); i++) {
                if (normalize(model.tokenizer().decode(withoutEos(generated.get(i), model.eosTokenId())))
                        .equals(normalize(batch.get(i).response()))) {
                    hits++;
                }
            }
        }
        return hits / (double) examples.size();
    }

    private static long[] withoutEos(long[] ids, long eos) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == eos) {
                return Arrays.copyOf(ids, i);
            }
        }
        return ids;
    }

    static String normalize(String s) {
        return s.strip().replaceAll("\\s+", " ");
    }
}
