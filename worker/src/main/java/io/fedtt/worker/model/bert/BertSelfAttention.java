package io.fedtt.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.fedtt.worker.nn.AdaptableLinear;
import io.fedtt.worker.nn.NamedParameters;
import java.util.Map;

/**
 * Multi-head scaled dot-product self-attention (Hugging Face BertSelfAttention). q, k and v are
 * {@link AdaptableLinear}s so LoRA can sit on any of them. Input: (hidden [B,T,H], mask bias
 * [B,1,1,T] with 0 for real tokens and a large negative number for padding); output the context [B,T,H].
 */
public final class BertSelfAttention extends AbstractBlock implements NamedParameters {

    private final int heads;
    private final int headSize;
    private final int hidden;
    private final AdaptableLinear query;
    private final AdaptableLinear key;
    private final AdaptableLinear value;
    private final Dropout dropout;

    public BertSelfAttention(BertConfig config) {
        heads = config.numAttentionHeads();
        headSize = config.headSize();
        hidden = config.hiddenSize();
        query = addChildBlock("query", new AdaptableLinear(hidden, hidden));
        key = addChildBlock("key", new AdaptableLinear(hidden, hidden));
        value = addChildBlock("value", new AdaptableLinear(hidden, hidden));
        dropout = addChildBlock("dropout", Dropout.builder().optRate(config.attentionProbsDropoutProb()).build());
    }

    /** One of "query", "key", "value". */
    public AdaptableLinear projection(String name) {
        return switch (name) {
            case "query" -> query;
            case "key" -> key;
            case "value" -> value;
            default -> throw new IllegalArgumentException("no attention projection named '" + name
                    + "' (query, key, value)");
        };
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray maskBias = inputs.get(1);
        NDList in = new NDList(x);
        NDArray q = splitHeads(query.forward(ps, in, training).singletonOrThrow());
        NDArray k = splitHeads(key.forward(ps, in, training).singletonOrThrow());
        NDArray v = splitHeads(value.forward(ps, in, training).singletonOrThrow());
        // The divisor as a tensor libtorch owns: DJL's div(Number) wraps a Java buffer that it frees
        // right after the op, while autograd keeps the divisor for the backward pass (garbage gradients).
        NDArray scale = q.getManager().full(new Shape(), (float) Math.sqrt(headSize));
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(scale).add(maskBias);
        NDArray probs = dropout.forward(ps, new NDList(scores.softmax(-1)), training).singletonOrThrow();
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3);
        Shape s = x.getShape();
        return new NDList(context.reshape(s.get(0), s.get(1), hidden));
    }

    /** [B,T,H] -> [B,heads,T,headSize]. */
    private NDArray splitHeads(NDArray t) {
        Shape s = t.getShape();
        return t.reshape(s.get(0), s.get(1), heads, headSize).transpose(0, 2, 1, 3);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        query.initialize(manager, dataType, x);
        key.initialize(manager, dataType, x);
        value.initialize(manager, dataType, x);
        Shape scores = new Shape(x.get(0), heads, x.get(1), x.get(1));
        dropout.initialize(manager, dataType, scores);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        query.collectParameters(prefix + "query.", out);
        key.collectParameters(prefix + "key.", out);
        value.collectParameters(prefix + "value.", out);
    }
}
