package io.fedtt.worker.adapter;

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
import io.fedtt.core.adapter.TtLayerSpec;
import io.fedtt.worker.nn.NamedParameters;
import java.util.Map;

/**
 * The tensorized adapter of FEDTT.md: Adapter(h) = h + s·Up(ReLU(Down(h))), Down and Up being
 * {@link TtLinear} layers. With the up projection's last core at zero it is exactly the identity.
 * Parameter names: {@code down.cores.k}, {@code down.bias}, {@code up.cores.k}, {@code up.bias}.
 */
public final class TtAdapter extends AbstractBlock implements NamedParameters {

    private final TtLinear down;
    private final TtLinear up;
    private final float scaling;
    private final int bottleneck;

    public TtAdapter(TtLayerSpec downSpec, TtLayerSpec upSpec, double scaling) {
        if (downSpec.out() != upSpec.in() || downSpec.in() != upSpec.out()) {
            throw new IllegalArgumentException("adapter projections do not chain: down " + downSpec.in() + "x"
                    + downSpec.out() + ", up " + upSpec.in() + "x" + upSpec.out());
        }
        this.down = addChildBlock("down", new TtLinear(downSpec));
        this.up = addChildBlock("up", new TtLinear(upSpec));
        this.scaling = (float) scaling;
        this.bottleneck = downSpec.out();
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray h = inputs.singletonOrThrow();
        NDArray z = Activation.relu(down.forward(ps, new NDList(h), training).singletonOrThrow());
        NDArray u = up.forward(ps, new NDList(z), training).singletonOrThrow();
        // A libtorch-owned scalar: autograd keeps it for backward; DJL's mul(Number) frees its own at once.
        return new NDList(h.add(scaling == 1f ? u : u.mul(u.getManager().full(new Shape(), scaling))));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape h = inputShapes[0];
        down.initialize(manager, dataType, h);
        up.initialize(manager, dataType, h.slice(0, h.dimension() - 1).add(bottleneck));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        down.collectParameters(prefix + "down.", out);
        up.collectParameters(prefix + "up.", out);
    }
}
