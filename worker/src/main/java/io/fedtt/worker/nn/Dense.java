package io.fedtt.worker.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * y = x·Wᵀ + b with W [out, in] (PyTorch's nn.Linear), bias optional. The weight may be stored in
 * another element type than the activations (a 16-bit frozen checkpoint under fp32 compute). On a
 * CPU it is cast to the input's type for the product (CPU 16-bit matmuls are slow); on a GPU the
 * input is cast to 16 bits instead, so autograd keeps the stored weight, not an fp32 copy of it.
 * Parameters: {@code weight}, {@code bias}.
 */
public final class Dense extends AbstractBlock implements NamedParameters {

    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    public Dense(int in, int out, boolean withBias) {
        this.in = in;
        this.out = out;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(out, in)).build());
        bias = withBias ? addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(out)).build()) : null;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray stored = ps.getValue(weight, x.getDevice(), training);
        if (stored.getDataType() != x.getDataType() && x.getDevice().isGpu()) {
            // On a GPU the 16-bit product is fast and accumulates in fp32; an fp32 copy of every frozen
            // weight would otherwise stay alive for the backward pass (4 bytes per base parameter).
            NDArray x16 = x.toType(stored.getDataType(), false);
            NDArray b16 = bias == null ? null : ps.getValue(bias, x.getDevice(), training).toType(stored.getDataType(), false);
            NDArray y = b16 != null ? Linear.linear(x16, stored, b16).singletonOrThrow() : x16.matMul(stored.transpose());
            return new NDList(y.toType(x.getDataType(), false));
        }
        NDArray w = Precision.like(stored, x);
        NDArray b = bias == null ? null : Precision.like(ps.getValue(bias, x.getDevice(), training), x);
        if (b != null) {
            return Linear.linear(x, w, b);
        }
        return new NDList(x.matMul(w.transpose()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> outMap) {
        ParameterNames.add(outMap, prefix + "weight", weight);
        if (bias != null) {
            ParameterNames.add(outMap, prefix + "bias", bias);
        }
    }
}
