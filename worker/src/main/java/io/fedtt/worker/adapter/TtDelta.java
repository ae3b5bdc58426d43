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
 * A TT delta on a projection (core's {@link TtLayerSpec.Kind#DELTA}): delta(x) = s · x·W, W [in, out] a
 * bias-less {@link TtLinear}, s the adapter scaling. Hosted in the delta slot of an
 * {@link io.fedtt.worker.nn.AdaptableLinear}, so the projection computes base(x) + s · x·W; with its last
 * core zero (identity-at-start init) it adds exactly nothing. Parameter names {@code tt_delta.cores.k}.
 */
public final class TtDelta extends AbstractBlock implements NamedParameters {

    private final TtLinear w;
    private final float scaling;

    public TtDelta(TtLayerSpec spec, double scaling) {
        if (spec.kind() != TtLayerSpec.Kind.DELTA || spec.hasBias()) {
            throw new IllegalArgumentException(spec.name() + " is not a bias-less TT delta");
        }
        this.w = addChildBlock("tt_delta", new TtLinear(spec));
        this.scaling = (float) scaling;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray d = w.forward(ps, inputs, training).singletonOrThrow();
        // A libtorch-owned scalar: autograd keeps it for backward; DJL's mul(Number) frees its own at once.
        return new NDList(scaling == 1f ? d : d.mul(d.getManager().full(new Shape(), scaling)));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        w.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return w.getOutputShapes(inputShapes);
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        w.collectParameters(prefix + "tt_delta.", out);
    }
}
