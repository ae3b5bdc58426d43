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
 * Root-mean-square layer norm (LLaMA's RMSNorm): y = w · x · rsqrt(mean(x²) + eps), computed in
 * fp32 whatever the input type, as Hugging Face does. Parameter: {@code weight} [dim].
 */
public final class RmsNorm extends AbstractBlock implements NamedParameters {

    private final int dim;
    private final float eps;
    private final Parameter weight;

    public RmsNorm(int dim, float eps) {
        this.dim = dim;
        this.eps = eps;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.GAMMA)
                .optShape(new Shape(dim)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray x32 = x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDManager m = x.getManager();
        // Scalars as libtorch-owned tensors: autograd may keep them for the backward pass.
        NDArray squared = x32.square();
        NDArray variance = squared.mean(new int[] {-1}, true);
        squared.close(); // not needed by autograd; a training step would hold it to its end
        // x · rsqrt(var + eps) as Hugging Face writes it, not x / sqrt(...): the backward of a division
        // by the [..., 1] column costs a full-size quotient and product more than that of a product
        // (about 70 ms of a 6.5 s LLaMA training step, bench/llama-step-bench.sh).
        NDArray inverse = variance.add(m.full(new Shape(), eps)).pow(m.full(new Shape(), -0.5f));
        NDArray normed = x32.mul(inverse);
        NDArray y = normed.toType(x.getDataType(), false);
        NDArray out = Precision.like(ps.getValue(weight, x.getDevice(), training), y).mul(y);
        if (y != normed) {
            y.close();
        }
        normed.close();
        if (x32 != x) {
            x32.close();
        }
        return new NDList(out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    public int dim() {
        return dim;
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        ParameterNames.add(out, prefix + "weight", weight);
    }
}
