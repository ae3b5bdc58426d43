package io.fedtt.worker.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * A dense projection that can host a parallel update: y = base(x) + delta(x). The delta slot is
 * where LoRA (B·A·x·scale) goes; empty, this is exactly the base Linear. Parameter names are the
 * base's own ({@code weight}, {@code bias}) plus whatever the delta names itself under the prefix.
 */
public final class AdaptableLinear extends AbstractBlock implements NamedParameters {

    private final Dense base;
    private final AdapterSlot delta;
    private final int inFeatures;
    private final int outFeatures;

    /** With a bias, as every BERT-family projection has. */
    public AdaptableLinear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    public AdaptableLinear(int inFeatures, int outFeatures, boolean withBias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.base = addChildBlock("base", new Dense(inFeatures, outFeatures, withBias));
        this.delta = addChildBlock("delta", new AdapterSlot());
    }

    public Dense base() {
        return base;
    }

    /** Where a parallel update (LoRA) attaches; it maps [..., in] to [..., out]. */
    public AdapterSlot delta() {
        return delta;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray y = base.forward(ps, inputs, training).singletonOrThrow();
        if (!delta.isEmpty()) {
            y = y.add(delta.forward(ps, inputs, training, params).singletonOrThrow());
        }
        return new NDList(y);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        base.initialize(manager, dataType, inputShapes);
        delta.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return base.getOutputShapes(inputShapes);
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        base.collectParameters(prefix, out);
        delta.collectParameters(prefix, out);
    }
}
