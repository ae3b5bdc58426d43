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
import io.fedtt.worker.nn.NamedParameters;
import io.fedtt.worker.nn.RmsNorm;
import java.util.Map;

/**
 * One pre-norm decoder layer: h = x + attn(norm1(x)); out = h + mlp(norm2(h)).
 * Input: (hidden [B,T,H], mask bias [B,1,T,T], cos, sin); output [B,T,H].
 */
public final class LlamaDecoderLayer extends AbstractBlock implements NamedParameters {

    private final RmsNorm inputNorm;
    private final LlamaAttention attention;
    private final RmsNorm postAttentionNorm;
    private final LlamaMlp mlp;

    public LlamaDecoderLayer(LlamaConfig c) {
        inputNorm = addChildBlock("input_layernorm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
        attention = addChildBlock("self_attn", new LlamaAttention(c));
        postAttentionNorm = addChildBlock("post_attention_layernorm", new RmsNorm(c.hiddenSize(), c.rmsNormEps()));
        mlp = addChildBlock("mlp", new LlamaMlp(c));
    }

    public LlamaAttention attention() {
        return attention;
    }

    public LlamaMlp mlp() {
        return mlp;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray n1 = inputNorm.forward(ps, new NDList(x), training).singletonOrThrow();
        NDList attnIn = new NDList(n1, inputs.get(1), inputs.get(2), inputs.get(3));
        NDArray attended = attention.forward(ps, attnIn, training, params).singletonOrThrow();
        NDArray h = x.add(attended);
        attended.close(); // the residual sum does not need it (autograd keeps what it saves itself)
        NDArray n2 = postAttentionNorm.forward(ps, new NDList(h), training).singletonOrThrow();
        NDArray mixed = mlp.forward(ps, new NDList(n2), training, params).singletonOrThrow();
        NDArray out = h.add(mixed);
        mixed.close();
        return new NDList(out);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        inputNorm.initialize(manager, dataType, x);
        attention.initialize(manager, dataType, inputShapes);
        postAttentionNorm.initialize(manager, dataType, x);
        mlp.initialize(manager, dataType, x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        inputNorm.collectParameters(prefix + "input_layernorm.", out);
        attention.collectParameters(prefix + "self_attn.", out);
        postAttentionNorm.collectParameters(prefix + "post_attention_layernorm.", out);
        mlp.collectParameters(prefix + "mlp.", out);
    }
}
