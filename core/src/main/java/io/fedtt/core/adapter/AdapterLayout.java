package io.fedtt.core.adapter;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Every trainable tensor of an adapter on a model, in a fixed order (the model's own order), with
 * names the worker and the protocol rely on. See FEDTT.md for where adapters go.
 */
public final class AdapterLayout {

    private final ModelConfig model;
    private final AdapterConfig adapter;
    private final List<TensorSpec> tensors;
    private final Map<String, TensorSpec> byName;
    private final List<TtLayerSpec> ttLayers;
    private final Map<String, TtLayerSpec> ttByName;

    private AdapterLayout(ModelConfig model, AdapterConfig adapter, List<TensorSpec> tensors,
                          List<TtLayerSpec> ttLayers) {
        this.model = model;
        this.adapter = adapter;
        this.tensors = List.copyOf(tensors);
        this.ttLayers = List.copyOf(ttLayers);
        Map<String, TensorSpec> names = new LinkedHashMap<>();
        tensors.forEach(t -> names.put(t.name(), t));
        this.byName = Collections.unmodifiableMap(names);
        Map<String, TtLayerSpec> layers = new LinkedHashMap<>();
        ttLayers.forEach(l -> layers.put(l.name(), l));
        this.ttByName = Collections.unmodifiableMap(layers);
    }

    public static AdapterLayout of(ModelConfig model, AdapterConfig adapter) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(adapter, "adapter");
        LayoutBuilder b = new LayoutBuilder(adapter);
        boolean bert = model.family() == ModelConfig.Family.BERT;
        switch (adapter.type()) {
            case TT -> {
                if (bert) {
                    BertLayout.tt(model, adapter, b);
                } else {
                    LlamaLayout.tt(model, adapter, b);
                }
            }
            case LORA -> {
                if (bert) {
                    BertLayout.lora(model, adapter, b);
                } else {
                    LlamaLayout.lora(model, adapter, b);
                }
            }
            case FULL -> {
                if (bert) {
                    BertLayout.full(model, adapter, b);
                } else {
                    LlamaLayout.full(model, b);
                }
            }
        }
        return new AdapterLayout(model, adapter, b.specs(), b.ttLayers());
    }

    public ModelConfig model() {
        return model;
    }

    public AdapterConfig adapter() {
        return adapter;
    }

    /** All trainable tensors in the layout's fixed order. */
    public List<TensorSpec> tensors() {
        return tensors;
    }

    public List<String> names() {
        return tensors.stream().map(TensorSpec::name).toList();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public TensorSpec spec(String name) {
        TensorSpec s = byName.get(name);
        if (s == null) {
            throw new NoSuchElementException("tensor '" + name + "' is not part of this " + adapter.typeName() + " layout");
        }
        return s;
    }

    /** The TT layers (adapter down/up projections, TT deltas and the head's dense layer), in order. */
    public List<TtLayerSpec> ttLayers() {
        return ttLayers;
    }

    public TtLayerSpec ttLayer(String name) {
        TtLayerSpec l = ttByName.get(name);
        if (l == null) {
            throw new NoSuchElementException("no TT layer named '" + name + "'");
        }
        return l;
    }

    public long parameterCount() {
        long n = 0;
        for (TensorSpec t : tensors) {
            n += t.numel();
        }
        return n;
    }

    /** Parameters per role, roles in enum order, only roles that occur. */
    public Map<Role, Long> countsByRole() {
        Map<Role, Long> counts = new EnumMap<>(Role.class);
        for (TensorSpec t : tensors) {
            counts.merge(t.role(), t.numel(), Long::sum);
        }
        return Collections.unmodifiableMap(counts);
    }

    /** Names whose initial value the worker must copy from the pretrained model. */
    public List<String> baseCopiedNames() {
        return tensors.stream().filter(TensorSpec::fromBase).map(TensorSpec::name).toList();
    }

    /** TT cores that start at zero (identity-at-start: the last cores of the up projections and deltas). */
    public List<String> zeroInitializedCores() {
        List<String> out = new ArrayList<>();
        for (TtLayerSpec l : ttLayers) {
            if (l.hasZeroInitCore()) {
                out.add(l.coreName(l.zeroInitCore()));
            }
        }
        return out;
    }

    /**
     * Checks a state against the layout: every tensor must be known and have its layout shape; with
     * {@code complete}, every layout tensor must be present too (a global adapter), without it a
     * subset is fine (a masked FedTT+ update).
     *
     * @throws IllegalArgumentException naming the first tensor at fault
     */
    public void check(AdapterState state, boolean complete) {
        for (Map.Entry<String, Tensor> e : state.tensors().entrySet()) {
            TensorSpec s = byName.get(e.getKey());
            if (s == null) {
                throw new IllegalArgumentException("unexpected tensor '" + e.getKey() + "' (not in the "
                        + adapter.typeName() + " layout)");
            }
            if (!e.getValue().sameShape(s.shape())) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(e.getValue().shape()) + ", expected " + Arrays.toString(s.shape()));
            }
        }
        if (complete) {
            for (TensorSpec s : tensors) {
                if (!state.contains(s.name())) {
                    throw new IllegalArgumentException("missing tensor '" + s.name() + "'");
                }
            }
        }
    }

    @Override
    public String toString() {
        return "AdapterLayout{" + adapter.typeName() + " on " + model.family() + " h=" + model.hiddenSize() + ", "
                + tensors.size() + " tensors, " + parameterCount() + " parameters}";
    }
}
