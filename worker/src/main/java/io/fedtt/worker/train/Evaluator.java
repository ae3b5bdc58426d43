package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.Example;
import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.worker.model.TokenBatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Batched inference over a labelled split, without gradients: accuracy, macro-F1 and mean
 * cross-entropy (a causal language model: {@link ResponseEvaluator}). Examples are sorted by length first, so each batch pads to a similar length and
 * fewer padding tokens are computed; the metrics do not depend on the order.
 */
public final class Evaluator {

    private Evaluator() {
    }

    /** Evaluates the model's current adapter on the first {@code maxExamples} examples of {@code data}. */
    public static ClassificationMetrics.Result evaluate(TrainableModel model, Dataset data, int batchSize,
            int maxExamples) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (model.causalLm()) {
            return ResponseEvaluator.evaluate(model, data.head(maxExamples), batchSize);
        }
        if (data.labels().size() != model.numLabels()) {
            throw new IllegalArgumentException(data.source() + " has " + data.labels().size()
                    + " labels, the model " + model.numLabels());
        }
        Dataset capped = data.head(maxExamples);
        List<Example> sorted = new ArrayList<>(capped.examples());
        // Characters are a free proxy for tokens; texts past the max length all truncate alike.
        sorted.sort(Comparator.comparingInt(e -> e.text().length()));
        ClassificationMetrics metrics = new ClassificationMetrics(model.numLabels());
        try (GradMode off = GradMode.disabled()) {
            for (int from = 0; from < sorted.size(); from += batchSize) {
                List<Example> batch = sorted.subList(from, Math.min(sorted.size(), from + batchSize));
                addBatch(model, batch, metrics);
            }
        }
        return metrics.result();
    }

    public static ClassificationMetrics.Result evaluate(TrainableModel model, Dataset data, TrainingOptions options) {
        return evaluate(model, data, options.evalBatchSize(), options.maxEvalExamples());
    }

    /** The protocol's form of a result. */
    public static EvalMetrics toEvalMetrics(ClassificationMetrics.Result r) {
        return r.examples() == 0 ? EvalMetrics.NONE : new EvalMetrics(r.accuracy(), r.loss(), r.examples());
    }

    private static void addBatch(TrainableModel model, List<Example> batch, ClassificationMetrics metrics) {
        List<String> texts = new ArrayList<>(batch.size());
        long[] labels = new long[batch.size()];
        for (int i = 0; i < labels.length; i++) {
            texts.add(batch.get(i).text());
            labels[i] = batch.get(i).label();
        }
        TokenBatch tokens = model.tokenizer().encode(texts);
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            NDList inputs = tokens.toNDList(m);
            NDArray logits = model.logits(new ParameterStore(m, false), inputs, false);
            NDArray y = m.create(labels, new Shape(labels.length));
            float[] loss = CrossEntropy.perExample(logits, y).toFloatArray();
            long[] predicted = logits.argMax(1).toLongArray();
            for (int i = 0; i < labels.length; i++) {
                metrics.add((int) labels[i], (int) predicted[i], loss[i]);
            }
        }
    }
}
