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
import io.fedtt.core.adapter.TtLayerSpec;
import io.fedtt.worker.nn.NamedParameters;
import java.util.Map;

/**
 * A TT update of a pretrained projection (the layout's {@link TtLayerSpec.Kind#DELTA}): delta(x) =
 * s·x·W with W [in, out] held as TT cores and no bias, added to the projection's output by its
 * {@link io.fedtt.worker.nn.AdaptableLinear} host, as LoRA's B·A is. With a zero last core it adds
 * exactly nothing. Names: {@code tt_delta.cores.k}.
 */
public final class TtDelta extends AbstractBlock implements NamedParameters {

    private final TtLinear tt;
    private final float scaling;

    public TtDelta(TtLayerSpec spec, double scaling) {
        if (spec.hasBias()) {
            throw new IllegalArgumentException(spec.name() + ": a TT delta has no bias");
        }
        this.tt = addChildBlock("tt_delta", new TtLinear(spec));
        this.scaling = (float) scaling;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray y = tt.forward(ps, inputs, training).singletonOrThrow();
        // A libtorch-owned scalar: autograd keeps it for backward; DJL's mul(Number) frees its own at once.
        return new NDList(scaling == 1f ? y : y.mul(y.getManager().full(new Shape(), scaling)));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        tt.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return tt.getOutputShapes(inputShapes);
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        tt.collectParameters(prefix + "tt_delta.", out);
    }
}
