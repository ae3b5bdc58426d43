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
 * another element type than the activations (a 16-bit frozen checkpoint under fp32 compute): it is
 * cast to the input's type for the product, so memory holds the 16-bit copy only.
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
        NDArray w = Precision.like(ps.getValue(weight, x.getDevice(), training), x);
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
