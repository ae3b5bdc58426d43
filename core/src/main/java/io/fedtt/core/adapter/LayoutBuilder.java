package io.fedtt.core.adapter;

import io.fedtt.core.tt.ModeFactorizer;
import io.fedtt.core.tt.TtShape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects tensor specs and TT layers in order; shared by the per-family layouts. */
final class LayoutBuilder {

    private final AdapterConfig adapter;
    private final Map<String, TensorSpec> specs = new LinkedHashMap<>();
    private final List<TtLayerSpec> ttLayers = new ArrayList<>();

    LayoutBuilder(AdapterConfig adapter) {
        this.adapter = adapter;
    }

    void add(TensorSpec spec) {
        if (specs.putIfAbsent(spec.name(), spec) != null) {
            throw new IllegalStateException("duplicate tensor name " + spec.name());
        }
    }

    void add(String name, Role role, int... shape) {
        add(new TensorSpec(name, shape, role));
    }

    void base(String name, Role role, int... shape) {
        add(TensorSpec.base(name, shape, role));
    }

    /**
     * A TT layer [in, out] with its cores under {@code name.cores.k} and, unless {@code biasRole} is null,
     * its bias {@code name.bias}. Under identity-at-start init the last core of an up projection or a
     * delta starts at zero.
     */
    void ttLayer(String name, int in, int out, TtLayerSpec.Kind kind, Role coreRole, Role biasRole) {
        int[] override = adapter.modesFor(kind);
        int[] modes;
        if (override != null) {
            modes = ModeFactorizer.checkOverride(override, in, out, "modes." + kind.key() + " for " + name);
        } else {
            try {
                modes = ModeFactorizer.balanced(in, out);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        }
        TtShape shape = TtShape.of(modes, adapter.ttRank());
        boolean zeroLast = (kind == TtLayerSpec.Kind.UP || kind == TtLayerSpec.Kind.DELTA)
                && adapter.init() == AdapterConfig.Init.IDENTITY;
        TtLayerSpec layer = new TtLayerSpec(name, in, out, shape, kind, zeroLast ? shape.order() - 1 : -1,
                biasRole != null);
        ttLayers.add(layer);
        for (int k = 0; k < shape.order(); k++) {
            add(TensorSpec.core(name, k, shape.coreShape(k), coreRole));
        }
        if (layer.hasBias()) {
            add(layer.biasName(), biasRole, out);
        }
    }

    /** Down [hidden, bottleneck] then up [bottleneck, hidden] under {@code prefix.down/up}, biases as configured. */
    void adapter(String prefix, int hidden) {
        var bias = adapter.adapterBias();
        ttLayer(prefix + ".down", hidden, adapter.bottleneck(), TtLayerSpec.Kind.DOWN, Role.TT_CORE,
                bias.down() ? Role.ADAPTER_BIAS : null);
        ttLayer(prefix + ".up", adapter.bottleneck(), hidden, TtLayerSpec.Kind.UP, Role.TT_CORE,
                bias.up() ? Role.ADAPTER_BIAS : null);
    }

    /** The bias-less TT delta [in, out] of the projection {@code module}, named {@code module.tt_delta}. */
    void ttDelta(String module, int in, int out) {
        ttLayer(module + ".tt_delta", in, out, TtLayerSpec.Kind.DELTA, Role.TT_CORE, null);
    }

    void lora(String module, int in, int out) {
        add(module + ".lora_A", Role.LORA_A, adapter.loraRank(), in);
        add(module + ".lora_B", Role.LORA_B, out, adapter.loraRank());
    }

    List<TensorSpec> specs() {
        return List.copyOf(specs.values());
    }

    List<TtLayerSpec> ttLayers() {
        return List.copyOf(ttLayers);
    }
}
