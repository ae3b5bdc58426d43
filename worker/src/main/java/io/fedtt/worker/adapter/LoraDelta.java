package io.fedtt.worker.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.fedtt.worker.nn.NamedParameters;
import io.fedtt.worker.nn.ParameterNames;
import java.util.Map;

/**
 * LoRA's parallel update for a projection W [out, in]: delta(x) = (alpha / r) · x·Aᵀ·Bᵀ, with
 * A [r, in] and B [out, r] (PEFT's shapes). With B = 0 it adds exactly nothing. Hosted in the
 * delta slot of an {@link io.fedtt.worker.nn.AdaptableLinear}; names {@code lora_A}, {@code lora_B}.
 */
public final class LoraDelta extends AbstractBlock implements NamedParameters {

    private final Parameter a;
    private final Parameter b;
    private final float scale;
    private final int out;

    public LoraDelta(int in, int out, int rank, double alpha) {
        this.out = out;
        this.scale = (float) (alpha / rank);
        a = addParameter(Parameter.builder().setName("lora_A").setType(Parameter.Type.WEIGHT)
                .optInitializer(Initializer.ZEROS).optShape(new Shape(rank, in)).build());
        b = addParameter(Parameter.builder().setName("lora_B").setType(Parameter.Type.WEIGHT)
                .optInitializer(Initializer.ZEROS).optShape(new Shape(out, rank)).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray av = ps.getValue(a, x.getDevice(), training);
        NDArray bv = ps.getValue(b, x.getDevice(), training);
        // A libtorch-owned scalar: autograd keeps it for backward; DJL's mul(Number) frees its own at once.
        NDArray s = x.getManager().full(new Shape(), scale);
        return new NDList(x.matMul(av.transpose()).matMul(bv.transpose()).mul(s));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> outMap) {
        ParameterNames.add(outMap, prefix + "lora_A", a);
        ParameterNames.add(outMap, prefix + "lora_B", b);
    }
}
