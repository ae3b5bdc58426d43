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

    /** A TT layer [in, out] with its cores under {@code name.cores.k} and its bias {@code name.bias}. */
    void ttLayer(String name, int in, int out, TtLayerSpec.Kind kind, Role coreRole, Role biasRole) {
        int[] override = adapter.modesFor(kind);
        int[] modes = override != null
                ? ModeFactorizer.checkOverride(override, in, out, "modes." + kind.key() + " for " + name)
                : ModeFactorizer.balanced(in, out);
        TtShape shape = TtShape.of(modes, adapter.ttRank());
        int zero = kind == TtLayerSpec.Kind.UP && adapter.init() == AdapterConfig.Init.IDENTITY
                ? shape.order() - 1 : -1;
        TtLayerSpec layer = new TtLayerSpec(name, in, out, shape, kind, zero);
        ttLayers.add(layer);
        for (int k = 0; k < shape.order(); k++) {
            add(TensorSpec.core(name, k, shape.coreShape(k), coreRole));
        }
        add(layer.biasName(), biasRole, out);
    }

    /** Down [hidden, bottleneck] then up [bottleneck, hidden] under {@code prefix.down/up}. */
    void adapter(String prefix, int hidden) {
        ttLayer(prefix + ".down", hidden, adapter.bottleneck(), TtLayerSpec.Kind.DOWN, Role.TT_CORE, Role.ADAPTER_BIAS);
        ttLayer(prefix + ".up", adapter.bottleneck(), hidden, TtLayerSpec.Kind.UP, Role.TT_CORE, Role.ADAPTER_BIAS);
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
