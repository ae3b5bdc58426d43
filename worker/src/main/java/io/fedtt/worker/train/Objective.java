package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.fedtt.core.data.Example;
import java.util.ArrayList;
import java.util.List;

/**
 * What a training step minimizes for a batch of examples: a classifier's cross-entropy on the
 * labels, or a causal language model's next-token cross-entropy on the response tokens only.
 */
@FunctionalInterface
interface Objective {

    /** The batch's mean loss, a scalar on {@code m} (autograd records it when a collector is open). */
    NDArray loss(TrainableModel model, NDManager m, List<Example> batch, boolean training);

    /**
     * @param logitOffsets added to a classifier's logits before the loss (logit adjustment, see
     *     {@link io.fedtt.core.data.LabelPrior}), or null
     */
    static Objective of(TrainableModel model, float[] logitOffsets) {
        if (model.causalLm()) {
            return Objective::responseTokens;
        }
        return (mdl, m, batch, training) -> labels(mdl, m, batch, training, logitOffsets);
    }

    private static NDArray labels(TrainableModel model, NDManager m, List<Example> batch, boolean training,
            float[] logitOffsets) {
        List<String> texts = new ArrayList<>(batch.size());
        long[] labels = new long[batch.size()];
        for (int i = 0; i < labels.length; i++) {
            texts.add(batch.get(i).text());
            labels[i] = batch.get(i).label();
        }
        NDList inputs = model.tokenizer().encode(texts).toNDList(m);
        NDArray logits = model.logits(new ParameterStore(m, false), inputs, training);
        if (logitOffsets != null) {
            logits = logits.add(m.create(logitOffsets).toType(logits.getDataType(), false));
        }
        return CrossEntropy.perExample(logits, m.create(labels, new Shape(labels.length))).mean();
    }

    private static NDArray responseTokens(TrainableModel model, NDManager m, List<Example> batch, boolean training) {
        NDList in = PromptResponseBatch.of(model.tokenizer(), batch, model.eosTokenId()).toNDList(m);
        NDArray logits = model.logits(new ParameterStore(m, false), new NDList(in.get(0), in.get(1)), training);
        return TokenLoss.mean(logits, in.get(0), in.get(2));
    }
}
