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
        // Intermediates that autograd does not need are closed as soon as they are used (it keeps its
        // own reference to what it saves): a training step would otherwise hold every one of them, in
        // every layer, until the step ends (NDScope), ~35 MiB per layer at batch 8 x 128, hidden 512.
        NDArray qs = rotate(q.forward(ps, in, training).singletonOrThrow(), heads, cos, sin);
        NDArray ks = repeatKv(rotate(k.forward(ps, in, training).singletonOrThrow(), kvHeads, cos, sin));
        NDArray projectedV = v.forward(ps, in, training).singletonOrThrow();
        NDArray vs = repeatKv(split(projectedV, kvHeads));
        projectedV.close(); // vs, a view of it without GQA, keeps the storage alive
        // A libtorch-owned scalar: autograd keeps it for backward (DJL frees a Number operand at once).
        NDArray scale = x.getManager().full(new Shape(), (float) (1.0 / Math.sqrt(headDim)), qs.getDataType());
        NDArray raw = qs.matMul(ks.transpose(0, 1, 3, 2));
        NDArray scaled = raw.mul(scale);
        NDArray scores = scaled.add(bias);
        new NDList(raw, scaled).close();
        NDArray probs;
        if (scores.getDataType() == DataType.FLOAT32) {
            probs = scores.softmax(-1);
        } else {
            NDArray wide = scores.toType(DataType.FLOAT32, false);
            NDArray p = wide.softmax(-1);
            probs = p.toType(scores.getDataType(), false);
            new NDList(wide, p).close();
        }
        scores.close();
        Shape s = x.getShape();
        NDArray attended = probs.matMul(vs);
        NDArray context = attended.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), (long) heads * headDim);
        attended.close();
        return o.forward(ps, new NDList(context), training);
    }

    /** A projection [B,T,n·d] split into heads and rotated; the unrotated copies are closed. */
    private NDArray rotate(NDArray projected, int n, NDArray cos, NDArray sin) {
        NDArray heads = split(projected, n);
        NDArray rotated = RotaryEmbedding.apply(heads, cos, sin);
        new NDList(heads, projected).close();
        return rotated;
    }

    /** [B,T,n·d] -> [B,n,T,d]. */
    private NDArray split(NDArray t, int n) {
        Shape s = t.getShape();
        return t.reshape(s.get(0), s.get(1), n, headDim).transpose(0, 2, 1, 3);
    }

    /** [B,kvHeads,T,d] -> [B,heads,T,d], each k/v head repeated for its group of query heads (t is closed). */
    private NDArray repeatKv(NDArray t) {
        if (heads == kvHeads) {
            return t;
        }
        Shape s = t.getShape();
        long rep = heads / kvHeads;
        NDArray expanded = t.expandDims(2);
        NDArray broadcast = expanded.broadcast(new Shape(s.get(0), kvHeads, rep, s.get(2), s.get(3)));
        NDArray out = broadcast.reshape(s.get(0), heads, s.get(2), s.get(3));
        new NDList(t, expanded, broadcast).close();
        return out;
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
