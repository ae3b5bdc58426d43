package io.fedtt.worker.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.fedtt.worker.nn.Dense;
import io.fedtt.worker.nn.NamedParameters;
import java.util.Map;

/**
 * Sequence classification with a decoder (Hugging Face LlamaForSequenceClassification): the hidden
 * state of each row's last real token (position sum(mask) - 1, rows right padded) through a
 * bias-free linear layer. Input: (hidden [B,T,H], attention_mask [B,T]); output logits [B, labels].
 * Name: {@code score.weight} [labels, H].
 */
public final class LastTokenHead extends AbstractBlock implements NamedParameters {

    private final Dense score;
    private final int hidden;
    private final int labels;

    public LastTokenHead(int hidden, int labels) {
        this.hidden = hidden;
        this.labels = labels;
        score = addChildBlock("score", new Dense(hidden, labels, false));
    }

    /** [B,T,H] hidden states -> [B,H] at each row's last position where the mask is 1. */
    public static NDArray lastToken(NDArray hidden, NDArray mask) {
        long length = hidden.getShape().get(1);
        NDArray last = mask.sum(new int[] {1}).sub(1).clip(0, length - 1);
        NDArray select = last.oneHot((int) length).toType(hidden.getDataType(), false).expandDims(2);
        return hidden.mul(select).sum(new int[] {1});
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return score.forward(ps, new NDList(lastToken(inputs.get(0), inputs.get(1))), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        score.initialize(manager, dataType, new Shape(inputShapes[0].get(0), hidden));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), labels)};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        score.collectParameters(prefix + "score.", out);
    }
}
