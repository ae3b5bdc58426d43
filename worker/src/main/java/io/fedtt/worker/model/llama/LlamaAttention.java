package io.fedtt.worker.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.fedtt.worker.nn.AdaptableLinear;
import io.fedtt.worker.nn.NamedParameters;
import java.util.Map;

/**
 * LLaMA self-attention with grouped-query attention: q has {@code heads} heads, k and v
 * {@code kvHeads}, each k/v head shared by {@code heads / kvHeads} query heads; rotary embeddings
 * on q and k; softmax in fp32. The four projections are {@link AdaptableLinear}s, so LoRA or a TT
 * update can sit on any of them. Input: (hidden [B,T,H], mask bias [B,1,T,T], cos, sin [T,d]).
 */
public final class LlamaAttention extends AbstractBlock implements NamedParameters {

    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final AdaptableLinear q;
    private final AdaptableLinear k;
    private final AdaptableLinear v;
    private final AdaptableLinear o;

    public LlamaAttention(LlamaConfig c) {
        heads = c.numAttentionHeads();
        kvHeads = c.numKeyValueHeads();
        headDim = c.headDim();
        q = addChildBlock("q_proj", new AdaptableLinear(c.hiddenSize(), c.qDim(), c.attentionBias()));
        k = addChildBlock("k_proj", new AdaptableLinear(c.hiddenSize(), c.kvDim(), c.attentionBias()));
        v = addChildBlock("v_proj", new AdaptableLinear(c.hiddenSize(), c.kvDim(), c.attentionBias()));
        // Qwen2's o_proj has no bias even though q, k and v do
        o = addChildBlock("o_proj", new AdaptableLinear(c.qDim(), c.hiddenSize(), false));
    }

    /** q_proj, k_proj, v_proj or o_proj. */
    public AdaptableLinear projection(String name) {
        return switch (name) {
            case "q_proj" -> q;
            case "k_proj" -> k;
            case "v_proj" -> v;
            case "o_proj" -> o;
            default -> throw new IllegalArgumentException("no attention projection '" + name
                    + "' (q_proj, k_proj, v_proj, o_proj)");
        };
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray bias = inputs.get(1);
        NDArray cos = inputs.get(2);
        NDArray sin = inputs.get(3);
        NDList in = new NDList(x);
        NDArray qs = RotaryEmbedding.apply(split(q.forward(ps, in, training).singletonOrThrow(), heads), cos, sin);
        NDArray ks = RotaryEmbedding.apply(split(k.forward(ps, in, training).singletonOrThrow(), kvHeads), cos, sin);
        NDArray vs = split(v.forward(ps, in, training).singletonOrThrow(), kvHeads);
        ks = repeatKv(ks);
        vs = repeatKv(vs);
        // A libtorch-owned scalar: autograd keeps it for backward (DJL frees a Number operand at once).
        NDArray scale = x.getManager().full(new Shape(), (float) (1.0 / Math.sqrt(headDim)), qs.getDataType());
        NDArray scores = qs.matMul(ks.transpose(0, 1, 3, 2)).mul(scale).add(bias);
        NDArray probs = scores.getDataType() == DataType.FLOAT32
                ? scores.softmax(-1) : scores.toType(DataType.FLOAT32, false).softmax(-1).toType(scores.getDataType(), false);
        Shape s = x.getShape();
        NDArray context = probs.matMul(vs).transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), (long) heads * headDim);
        return o.forward(ps, new NDList(context), training);
    }

    /** [B,T,n·d] -> [B,n,T,d]. */
    private NDArray split(NDArray t, int n) {
        Shape s = t.getShape();
        return t.reshape(s.get(0), s.get(1), n, headDim).transpose(0, 2, 1, 3);
    }

    /** [B,kvHeads,T,d] -> [B,heads,T,d], each k/v head repeated for its group of query heads. */
    private NDArray repeatKv(NDArray t) {
        if (heads == kvHeads) {
            return t;
        }
        Shape s = t.getShape();
        long rep = heads / kvHeads;
        return t.expandDims(2).broadcast(new Shape(s.get(0), kvHeads, rep, s.get(2), s.get(3)))
                .reshape(s.get(0), heads, s.get(2), s.get(3));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        q.initialize(manager, dataType, x);
        k.initialize(manager, dataType, x);
        v.initialize(manager, dataType, x);
        o.initialize(manager, dataType, new Shape(x.get(0), x.get(1), (long) heads * headDim));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        q.collectParameters(prefix + "q_proj.", out);
        k.collectParameters(prefix + "k_proj.", out);
        v.collectParameters(prefix + "v_proj.", out);
        o.collectParameters(prefix + "o_proj.", out);
    }
}
