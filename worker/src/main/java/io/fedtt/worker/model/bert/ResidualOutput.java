package io.fedtt.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.fedtt.worker.nn.AdaptableLinear;
import io.fedtt.worker.nn.AdapterSlot;
import io.fedtt.worker.nn.NamedParameters;
import io.fedtt.worker.nn.ParameterNames;
import java.util.Map;

/**
 * The output sublayer of attention and of the feed-forward block (Hugging Face BertSelfOutput and
 * BertOutput): LayerNorm(residual + adapter(dropout(dense(x)))). The adapter slot sits between the
 * dense projection (+dropout) and the residual add + LayerNorm, where FEDTT.md places adapters.
 * Input: (x [B,T,in], residual [B,T,H]).
 */
public final class ResidualOutput extends AbstractBlock implements NamedParameters {

    private final int hidden;
    private final AdaptableLinear dense;
    private final Dropout dropout;
    private final AdapterSlot adapter;
    private final LayerNorm norm;

    /** @param in the dense projection's input width (hidden for attention, intermediate for the FFN) */
    public ResidualOutput(BertConfig config, int in) {
        hidden = config.hiddenSize();
        dense = addChildBlock("dense", new AdaptableLinear(in, hidden));
        dropout = addChildBlock("dropout", Dropout.builder().optRate(config.hiddenDropoutProb()).build());
        adapter = addChildBlock("adapter", new AdapterSlot());
        norm = addChildBlock("LayerNorm", LayerNorm.builder().axis(2).optEpsilon(config.layerNormEps()).build());
    }

    /** Where a serial adapter (h -> h + s·Up(act(Down(h)))) attaches; it maps [B,T,H] to [B,T,H]. */
    public AdapterSlot adapterSlot() {
        return adapter;
    }

    /** The dense projection; its delta slot can host LoRA. */
    public AdaptableLinear dense() {
        return dense;
    }

    public LayerNorm layerNorm() {
        return norm;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList h = dense.forward(ps, new NDList(inputs.get(0)), training);
        h = dropout.forward(ps, h, training);
        h = adapter.forward(ps, h, training, params);
        NDArray sum = h.singletonOrThrow().add(inputs.get(1));
        return norm.forward(ps, new NDList(sum), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        dense.initialize(manager, dataType, inputShapes[0]);
        Shape out = inputShapes[1];
        dropout.initialize(manager, dataType, out);
        adapter.initialize(manager, dataType, out);
        norm.initialize(manager, dataType, out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[1]};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        dense.collectParameters(prefix + "dense.", out);
        ParameterNames.layerNorm(prefix + "LayerNorm.", norm, out);
        adapter.collectParameters(prefix + "adapter.", out);
    }
}
