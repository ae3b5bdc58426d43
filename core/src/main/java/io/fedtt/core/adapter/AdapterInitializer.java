package io.fedtt.core.adapter;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.core.tt.SeededRandom;
import io.fedtt.core.tt.TtInit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Initial values of every tensor of a layout, deterministic for a seed. Each tensor draws from its
 * own stream seeded by (seed, name). Tensors marked {@link TensorSpec#fromBase()} (norms, full
 * fine-tuning weights) get a placeholder (norm weights 1, everything else 0) and are listed in the
 * metadata key {@link #FROM_BASE}: the worker must overwrite them from the pretrained model.
 */
public final class AdapterInitializer {

    /** Comma-separated names whose values must be copied from the pretrained model. */
    public static final String FROM_BASE = "fedtt.init.fromBase";
    /** identity | loretta (TT), lora, full. */
    public static final String SCHEME = "fedtt.init.scheme";
    public static final String SEED = "fedtt.init.seed";
    /** tt | lora | full. */
    public static final String ADAPTER_TYPE = "fedtt.adapter.type";

    /** Std of the head's dense (non-TT) weights, as Hugging Face initializes fresh classifiers. */
    public static final double HEAD_STD = 0.02;
    /** Refuse to materialize more than this many floats (2 GiB); bigger full fine-tunes start in the worker. */
    public static final long MAX_PARAMETERS = 1L << 29;

    private AdapterInitializer() {
    }

    public static AdapterState initialize(AdapterLayout layout, long seed) {
        if (layout.parameterCount() > MAX_PARAMETERS) {
            throw new IllegalArgumentException("refusing to initialize " + layout.parameterCount()
                    + " parameters in memory (limit " + MAX_PARAMETERS + "); a state this large comes from the model");
        }
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (TtLayerSpec layer : layout.ttLayers()) {
            List<SeededRandom> streams = new ArrayList<>();
            for (String core : layer.coreNames()) {
                streams.add(SeededRandom.forTensor(seed, core));
            }
            List<Tensor> cores = layer.hasZeroInitCore()
                    ? TtInit.zeroLast(layer.shape(), layer.in(), layer.out(), streams)
                    : TtInit.loretta(layer.shape(), layer.in(), layer.out(), streams);
            for (int k = 0; k < cores.size(); k++) {
                values.put(layer.coreName(k), cores.get(k));
            }
        }
        for (TensorSpec spec : layout.tensors()) {
            if (!spec.isTtCore()) {
                values.put(spec.name(), initial(spec, seed));
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        AdapterConfig a = layout.adapter();
        meta.put(ADAPTER_TYPE, a.typeName());
        meta.put(SCHEME, a.type() == AdapterConfig.Type.TT ? a.init().name().toLowerCase(Locale.ROOT) : a.typeName());
        meta.put(SEED, Long.toString(seed));
        meta.put(FROM_BASE, String.join(",", layout.baseCopiedNames()));
        return new AdapterState(values, meta);
    }

    /** The names listed under {@link #FROM_BASE} in a state's metadata. */
    public static List<String> fromBase(AdapterState state) {
        String v = state.metadata().getOrDefault(FROM_BASE, "");
        return v.isEmpty() ? List.of() : Arrays.asList(v.split(","));
    }

    private static Tensor initial(TensorSpec spec, long seed) {
        int[] shape = spec.shape();
        int n = Math.toIntExact(spec.numel());
        if (spec.fromBase()) {
            float[] v = new float[n];
            if (isNormWeight(spec)) {
                Arrays.fill(v, 1f);
            }
            return new Tensor(shape, v);
        }
        return switch (spec.role()) {
            case LORA_A -> // PEFT: kaiming_uniform_(a=sqrt(5)) on [r, in] -> U(-1/sqrt(in), 1/sqrt(in))
                    new Tensor(shape, SeededRandom.forTensor(seed, spec.name()).uniform(n, 1.0 / Math.sqrt(shape[1])));
            case HEAD -> spec.name().endsWith(".weight")
                    ? new Tensor(shape, SeededRandom.forTensor(seed, spec.name()).gaussian(n, HEAD_STD))
                    : Tensor.zeros(shape);
            default -> Tensor.zeros(shape); // adapter biases, LoRA B
        };
    }

    private static boolean isNormWeight(TensorSpec spec) {
        String n = spec.name();
        return spec.shape().length == 1 && n.endsWith(".weight")
                && (n.contains("LayerNorm") || n.contains("layernorm") || n.endsWith("norm.weight"));
    }
}
