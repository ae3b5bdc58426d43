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
 * fine-tuning weights) are carried as offsets from the pretrained value, so they start at zero and
 * are listed in the metadata key {@link #BASE_OFFSETS}: the worker adds the pretrained value when it
 * loads a state and subtracts it when it exports one. Every party then holds the same, meaningful
 * value without the pretrained weights: the server steps, clips and noises offsets like any other
 * adapter tensor, and never needs the model.
 */
public final class AdapterInitializer {

    /** Comma-separated names whose values are offsets from the pretrained model's. */
    public static final String BASE_OFFSETS = "fedtt.init.baseOffsets";
    /**
     * Written by versions before offsets: comma-separated names holding absolute values,
     * with placeholders (norm weights 1, everything else 0) standing for the pretrained value.
     */
    public static final String LEGACY_FROM_BASE = "fedtt.init.fromBase";
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
        meta.put(BASE_OFFSETS, String.join(",", layout.baseCopiedNames()));
        return new AdapterState(values, meta);
    }

    /** The names listed under {@link #BASE_OFFSETS} in a state's metadata. */
    public static List<String> baseOffsets(AdapterState state) {
        return names(state, BASE_OFFSETS);
    }

    /**
     * The names a state from before offsets lists as absolute pretrained values ({@link #LEGACY_FROM_BASE});
     * empty for a state that says it holds offsets.
     */
    public static List<String> legacyAbsolute(AdapterState state) {
        return state.metadata().containsKey(BASE_OFFSETS) ? List.of() : names(state, LEGACY_FROM_BASE);
    }

    private static List<String> names(AdapterState state, String key) {
        String v = state.metadata().getOrDefault(key, "");
        return v.isEmpty() ? List.of() : Arrays.asList(v.split(","));
    }

    private static Tensor initial(TensorSpec spec, long seed) {
        int[] shape = spec.shape();
        int n = Math.toIntExact(spec.numel());
        if (spec.fromBase()) {
            return Tensor.zeros(shape); // no change from the pretrained value yet
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
}
