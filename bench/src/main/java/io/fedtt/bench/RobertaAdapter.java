package io.fedtt.bench;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The benchmarks' payload: the RoBERTa-base TT adapter (rank 5, bottleneck 64) with the paper's TT
 * classification head, FEDTT.md's 99,194 parameters, and client updates of it.
 */
public final class RobertaAdapter {

    public static final long PARAMETERS = 99_194;

    private RobertaAdapter() {
    }

    /** The initialized global; fails if the layout no longer gives the paper's count. */
    public static AdapterState global() {
        // The TT head, not the project's default linear head: FEDTT.md's count is the paper's layout.
        AdapterLayout layout = AdapterLayout.of(ModelConfig.robertaBase(2), AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
        AdapterState global = AdapterInitializer.initialize(layout, 1);
        if (global.parameterCount() != PARAMETERS) {
            throw new IllegalStateException("expected the " + PARAMETERS + "-parameter RoBERTa-base adapter, got "
                    + global.parameterCount());
        }
        return global;
    }

    /** A client's update: the global plus small Gaussian noise on every tensor. */
    static AdapterState update(AdapterState global, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        global.tensors().forEach((name, t) -> {
            float[] v = t.data().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (rnd.nextGaussian() * 1e-3);
            }
            out.put(name, new Tensor(t.shape(), v));
        });
        return new AdapterState(out);
    }
}
