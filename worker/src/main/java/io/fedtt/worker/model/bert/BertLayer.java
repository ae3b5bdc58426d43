package io.fedtt.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.fedtt.worker.nn.AdaptableLinear;
import io.fedtt.worker.nn.NamedParameters;
import java.util.Map;

/**
 * One post-LayerNorm transformer layer (Hugging Face BertLayer): self-attention and its output
 * sublayer, then the feed-forward block (intermediate dense + activation) and its output sublayer.
 * Input: (hidden [B,T,H], mask bias [B,1,1,T]); output [B,T,H].
 */
public final class BertLayer extends AbstractBlock implements NamedParameters {

    private final BertConfig config;
    private final BertSelfAttention attention;
    private final ResidualOutput attentionOutput;
    private final AdaptableLinear intermediate;
    private final ResidualOutput output;

    public BertLayer(BertConfig config) {
        this.config = config;
        attention = addChildBlock("attention_self", new BertSelfAttention(config));
        attentionOutput = addChildBlock("attention_output", new ResidualOutput(config, config.hiddenSize()));
        intermediate = addChildBlock("intermediate", new AdaptableLinear(config.hiddenSize(), config.intermediateSize()));
        output = addChildBlock("output", new ResidualOutput(config, config.intermediateSize()));
    }

    public BertSelfAttention attention() {
        return attention;
    }

    /** The attention output sublayer (HF attention.output); its adapter slot is the first adapter place. */
    public ResidualOutput attentionOutput() {
        return attentionOutput;
    }

    /** The feed-forward output sublayer (HF output); its adapter slot is the second adapter place. */
    public ResidualOutput output() {
        return output;
    }

    /**
     * A dense projection of this layer by its Hugging Face path: attention.self.query|key|value,
     * attention.output.dense, intermediate.dense or output.dense.
     */
    public AdaptableLinear projection(String path) {
        return switch (path) {
            case "attention.self.query" -> attention.projection("query");
            case "attention.self.key" -> attention.projection("key");
            case "attention.self.value" -> attention.projection("value");
            case "attention.output.dense" -> attentionOutput.dense();
            case "intermediate.dense" -> intermediate;
            case "output.dense" -> output.dense();
            default -> throw new IllegalArgumentException("no projection '" + path + "' in a BERT layer");
        };
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray context = attention.forward(ps, inputs, training, params).singletonOrThrow();
        NDArray h = attentionOutput.forward(ps, new NDList(context, x), training, params).singletonOrThrow();
        NDArray inner = intermediate.forward(ps, new NDList(h), training).singletonOrThrow();
        inner = "relu".equals(config.hiddenAct()) ? Activation.relu(inner) : Activation.gelu(inner);
        return output.forward(ps, new NDList(inner, h), training, params);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        attention.initialize(manager, dataType, inputShapes);
        attentionOutput.initialize(manager, dataType, x, x);
        intermediate.initialize(manager, dataType, x);
        Shape inner = new Shape(x.get(0), x.get(1), config.intermediateSize());
        output.initialize(manager, dataType, inner, x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        attention.collectParameters(prefix + "attention.self.", out);
        attentionOutput.collectParameters(prefix + "attention.output.", out);
        intermediate.collectParameters(prefix + "intermediate.dense.", out);
        output.collectParameters(prefix + "output.", out);
    }
}
