package io.fedtt.worker.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.fedtt.core.adapter.TtLayerSpec;
import io.fedtt.core.tt.TtShape;
import io.fedtt.worker.nn.NamedParameters;
import io.fedtt.worker.nn.ParameterNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A tensor-train linear layer (FEDTT.md): W [in, out] is the row-major reshape of the contraction
 * of cores G_k [r_{k-1}, m_k, r_k], rebuilt from the cores on every forward so gradients reach
 * them; y = x·W + b, or y = x·W for a layer without a bias (a TT delta, {@link TtLayerSpec#hasBias()}).
 * Parameters: {@code cores.k} and {@code bias} (if any), as in the core's layout.
 */
public final class TtLinear extends AbstractBlock implements NamedParameters {

    private final int in;
    private final int out;
    private final TtShape shape;
    private final List<Parameter> cores = new ArrayList<>();
    private final Parameter bias;

    public TtLinear(TtLayerSpec spec) {
        this.in = spec.in();
        this.out = spec.out();
        this.shape = spec.shape();
        for (int k = 0; k < shape.order(); k++) {
            int[] s = shape.coreShape(k);
            cores.add(addParameter(Parameter.builder()
                    .setName("cores." + k)
                    .setType(Parameter.Type.WEIGHT)
                    .optInitializer(Initializer.ZEROS) // values come from the adapter state
                    .optShape(new Shape(s[0], s[1], s[2]))
                    .build()));
        }
        bias = spec.hasBias() ? addParameter(Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(out))
                .build()) : null;
    }

    /** The dense W [in, out] the cores currently encode. */
    public NDArray weight(ParameterStore ps, ai.djl.Device device, boolean training) {
        NDArray p = null;
        long rows = 1;
        for (int k = 0; k < cores.size(); k++) {
            NDArray g = ps.getValue(cores.get(k), device, training);
            long r0 = shape.rank(k);
            long m = shape.mode(k);
            long r1 = shape.rank(k + 1);
            NDArray g2 = g.reshape(r0, m * r1);
            p = p == null ? g2 : p.matMul(g2);
            rows *= m;
            p = p.reshape(rows, r1);
        }
        return p.reshape(in, out);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = weight(ps, x.getDevice(), training);
        NDArray y = x.matMul(w);
        return new NDList(bias == null ? y : y.add(ps.getValue(bias, x.getDevice(), training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> outMap) {
        for (int k = 0; k < cores.size(); k++) {
            ParameterNames.add(outMap, prefix + "cores." + k, cores.get(k));
        }
        if (bias != null) {
            ParameterNames.add(outMap, prefix + "bias", bias);
        }
    }
}
