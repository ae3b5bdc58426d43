package io.fedtt.worker.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.adapter.Role;
import io.fedtt.core.adapter.TensorSpec;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.model.PretrainedModel;
import io.fedtt.worker.model.TextTokenizer;
import io.fedtt.core.adapter.TtLayerSpec;
import io.fedtt.worker.model.Backbone;
import io.fedtt.worker.nn.AdapterSlot;
import io.fedtt.worker.nn.ParameterNames;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pretrained encoder with the adapters of an {@link AdapterLayout} attached (TT adapters, LoRA,
 * or nothing for full fine-tuning) and a classification head. Every layout tensor is a DJL
 * parameter under its layout name; the federation sees only {@link AdapterState}s, whatever the
 * adapter type. Base weights outside the layout are frozen and never written.
 */
public final class AdapterModel {

    private final Backbone backbone;
    private final Block head;
    private final AdapterLayout layout;
    private final Map<String, Parameter> layoutParameters;
    private final Map<String, Parameter> allParameters;
    /** Pretrained values of the layout tensors taken from the model (norms, full fine-tuning weights). */
    private final Map<String, Tensor> base;
    private final List<AdapterSlot> usedSlots;
    private NDManager manager;
    private TextTokenizer tokenizer;

    private AdapterModel(Backbone backbone, Block head, AdapterLayout layout,
            Map<String, Parameter> layoutParameters, Map<String, Parameter> allParameters,
            Map<String, Tensor> base, List<AdapterSlot> usedSlots) {
        this.backbone = backbone;
        this.head = head;
        this.layout = layout;
        this.layoutParameters = layoutParameters;
        this.allParameters = allParameters;
        this.base = base;
        this.usedSlots = usedSlots;
    }

    /** Attaches to a loaded pretrained model; the adapter lives in the model's manager. */
    public static AdapterModel attach(PretrainedModel base, AdapterLayout layout, AdapterState initial,
            ClassificationHead.Pooling pooling) {
        AdapterModel m = attach(base.backbone(), base.manager(), layout, initial, pooling);
        m.tokenizer = base.tokenizer();
        return m;
    }

    /**
     * Attaches the layout's adapters and head to an initialized, loaded model, loads {@code initial}
     * into them and makes exactly the layout's tensors trainable. Where each piece goes follows the
     * layout's names: a TT adapter's down/up pair into the model's adapter slot of that prefix, a TT
     * delta or LoRA pair onto the projection of that module; the head is the family's (BERT: pooled
     * RoBERTa-style head under {@code classifier.}; LLaMA: last-token {@code score}).
     *
     * @param initial a complete state for the layout, e.g. {@link AdapterInitializer#initialize}
     * @param pooling BERT-family heads only
     */
    public static AdapterModel attach(Backbone backbone, NDManager manager, AdapterLayout layout,
            AdapterState initial, ClassificationHead.Pooling pooling) {
        checkCompatible(layout.model(), backbone.modelConfig(layout.model().numLabels()));
        AdapterConfig a = layout.adapter();
        List<AdapterSlot> slots = new ArrayList<>();
        try {
            switch (a.type()) {
                case TT -> {
                    for (TtLayerSpec tt : layout.ttLayers()) {
                        switch (tt.kind()) {
                            case DOWN -> {
                                String prefix = tt.name().substring(0, tt.name().length() - ".down".length());
                                attach(slots, backbone.adapterSlot(prefix), ttAdapter(layout, prefix));
                            }
                            case DELTA -> {
                                String module = tt.name().substring(0, tt.name().length() - ".tt_delta".length());
                                attach(slots, backbone.projection(module).delta(), new TtDelta(tt, a.scaling()));
                            }
                            case UP, HEAD -> {
                                // the up projection goes with its down; the head is built below
                            }
                        }
                    }
                }
                case LORA -> {
                    for (TensorSpec s : layout.tensors()) {
                        if (s.role() != Role.LORA_A) {
                            continue;
                        }
                        String module = s.name().substring(0, s.name().length() - ".lora_A".length());
                        int[] aShape = s.shape();
                        int out = layout.spec(module + ".lora_B").shape()[0];
                        attach(slots, backbone.projection(module).delta(),
                                new LoraDelta(aShape[1], out, a.loraRank(), a.loraAlpha()));
                    }
                }
                case FULL -> {
                    // every base weight is trainable; nothing to insert
                }
            }
        } catch (IllegalArgumentException e) {
            slots.forEach(AdapterSlot::detach);
            throw new IllegalArgumentException("adapter layout does not fit the model: " + e.getMessage(), e);
        }
        Block head = null;
        String headPrefix = "";
        if (layout.model().hasHead()) {
            int h = layout.model().hiddenSize();
            int labels = layout.model().numLabels();
            if (backbone.family() == ModelConfig.Family.LLAMA) {
                head = new LastTokenHead(h, labels);
            } else {
                Block dense = switch (a.head()) {
                    case TT -> new TtLinear(layout.ttLayer("classifier.dense"));
                    case DENSE -> Linear.builder().setUnits(h).build();
                    case LINEAR -> null;
                };
                head = new ClassificationHead(dense, h, labels, backbone.headDropout(), pooling);
                headPrefix = "classifier.";
            }
            head.setInitializer(Initializer.ZEROS, p -> true);
            Shape ids = new Shape(1, 8);
            head.initialize(manager, DataType.FLOAT32, ids.add(h), ids);
        }
        Map<String, Parameter> all = new LinkedHashMap<>(backbone.namedParameters());
        if (head != null) {
            ParameterNames.block(headPrefix, head, all);
        }
        Map<String, Parameter> byLayout = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (TensorSpec s : layout.tensors()) {
            Parameter p = all.get(s.name());
            if (p == null) {
                problems.add("layout tensor '" + s.name() + "' has no parameter in the model");
                continue;
            }
            long[] have = p.getArray().getShape().getShape();
            if (!Arrays.equals(have, Arrays.stream(s.shape()).asLongStream().toArray())) {
                problems.add("layout tensor '" + s.name() + "' is " + Arrays.toString(s.shape())
                        + " but the model's parameter is " + Arrays.toString(have));
            }
            byLayout.put(s.name(), p);
        }
        if (!problems.isEmpty()) {
            slots.forEach(AdapterSlot::detach);
            throw new IllegalArgumentException("adapter layout does not fit the model: " + problems);
        }
        Map<String, Tensor> pretrained = new LinkedHashMap<>();
        for (String name : layout.baseCopiedNames()) {
            pretrained.put(name, toTensor(byLayout.get(name).getArray()));
        }
        AdapterModel model = new AdapterModel(backbone, head, layout, byLayout, all, pretrained, slots);
        model.manager = manager;
        model.load(initial, true);
        model.setTrainable(TrainableMask.of(layout.names()));
        return model;
    }

    public AdapterLayout layout() {
        return layout;
    }

    public Backbone backbone() {
        return backbone;
    }

    public int numLabels() {
        return layout.model().numLabels();
    }

    /** Where the parameters live. */
    public NDManager manager() {
        return manager;
    }

    /** The pretrained model's tokenizer (null when attached to a bare encoder). */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** The layout's tensor names, in layout order: what an adapter state of this model holds. */
    public Set<String> adapterNames() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(layout.names()));
    }

    /** The layout's classification-head tensors. */
    public Set<String> headNames() {
        Set<String> out = new LinkedHashSet<>();
        for (TensorSpec s : layout.tensors()) {
            if (s.role() == Role.HEAD) {
                out.add(s.name());
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /** Every parameter of encoder, adapters and head by name (frozen ones included). */
    public Map<String, Parameter> parameters() {
        return allParameters;
    }

    /** The layout's tensors that train now (see {@link #setTrainable}). */
    public Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        layoutParameters.forEach((n, p) -> {
            if (p.requiresGradient()) {
                out.put(n, p);
            }
        });
        return out;
    }

    /**
     * Makes exactly the masked layout tensors trainable (FedTT+: frozen cores keep their value);
     * every other parameter, base weights included, is frozen.
     */
    public void setTrainable(TrainableMask mask) {
        for (String name : mask.trainable()) {
            if (!layoutParameters.containsKey(name)) {
                throw new IllegalArgumentException("trainable mask names '" + name + "', which is not in the "
                        + layout.adapter().typeName() + " layout");
            }
        }
        allParameters.values().forEach(p -> p.freeze(true));
        mask.trainable().forEach(n -> layoutParameters.get(n).freeze(false));
    }

    /** Logits [B, labels] for (input_ids, attention_mask, token_type_ids). */
    public NDArray logits(ParameterStore ps, NDList inputs, boolean training) {
        if (head == null) {
            throw new IllegalStateException("the layout has no classification head (numLabels = 0)");
        }
        NDArray hidden = backbone.forward(ps, inputs, training).singletonOrThrow();
        return head.forward(ps, new NDList(hidden, inputs.get(1)), training).singletonOrThrow();
    }

    /** The current value of every layout tensor, with the adapter type in the metadata. */
    public AdapterState state() {
        return export(layout.names());
    }

    /**
     * The current values of some layout tensors (an update restricted to a FedTT+ mask), as the
     * federation carries them: tensors taken from the pretrained model are offsets from it
     * ({@link AdapterInitializer#BASE_OFFSETS}).
     */
    public AdapterState export(Collection<String> names) {
        Map<String, Tensor> values = parameterValues(names);
        base.forEach((name, pretrainedValue) -> values.computeIfPresent(name, (n, v) -> v.minus(pretrainedValue)));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(AdapterInitializer.ADAPTER_TYPE, layout.adapter().typeName());
        if (!base.isEmpty()) {
            meta.put(AdapterInitializer.BASE_OFFSETS, String.join(",", base.keySet()));
        }
        return new AdapterState(values, meta);
    }

    /** The values the model computes with now (pretrained value plus offset), e.g. for a reference implementation. */
    public Map<String, Tensor> parameterValues(Collection<String> names) {
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (String n : names) {
            Parameter p = layoutParameters.get(n);
            if (p == null) {
                throw new IllegalArgumentException("'" + n + "' is not in the " + layout.adapter().typeName() + " layout");
            }
            values.put(n, toTensor(p.getArray()));
        }
        return values;
    }

    /**
     * Loads a state (a subset is fine: a FedTT+ masked global). Tensors taken from the pretrained
     * model are offsets: the parameter becomes pretrained value plus offset. A state written before
     * offsets ({@link AdapterInitializer#LEGACY_FROM_BASE}) holds absolute values, its placeholders
     * standing for the pretrained value; it loads as it always did.
     */
    public void load(AdapterState state) {
        load(state, false);
    }

    private void load(AdapterState state, boolean complete) {
        layout.check(state, complete);
        Set<String> absolute = new HashSet<>(AdapterInitializer.legacyAbsolute(state));
        for (Map.Entry<String, Tensor> e : state.tensors().entrySet()) {
            String name = e.getKey();
            Tensor value = e.getValue();
            Tensor pretrainedValue = base.get(name);
            if (pretrainedValue != null) {
                if (!absolute.contains(name)) {
                    value = pretrainedValue.plus(value);
                } else if (isPlaceholder(name, value)) {
                    value = pretrainedValue;
                }
            }
            layoutParameters.get(name).getArray().set(FloatBuffer.wrap(value.data()));
        }
    }

    /**
     * Removes the adapters from the encoder and puts back the pretrained values of the base tensors
     * the layout trains (norms, full fine-tuning weights): the base model is exactly as before
     * {@link #attach}, so the next method attached to it (a --compare run) starts from the same model.
     */
    public void detach() {
        usedSlots.forEach(AdapterSlot::detach);
        base.forEach((name, value) -> layoutParameters.get(name).getArray().set(FloatBuffer.wrap(value.data())));
    }

    /** The placeholder of a state from before offsets: norm weights 1, everything else 0. */
    static boolean isPlaceholder(String name, Tensor t) {
        float expected = t.rank() == 1 && name.endsWith(".weight") && name.toLowerCase().contains("norm") ? 1f : 0f;
        for (float v : t.data()) {
            if (v != expected) {
                return false;
            }
        }
        return true;
    }

    static Tensor toTensor(NDArray array) {
        long[] s = array.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        return new Tensor(shape, array.toFloatArray());
    }

    private static TtAdapter ttAdapter(AdapterLayout layout, String prefix) {
        return new TtAdapter(layout.ttLayer(prefix + ".down"), layout.ttLayer(prefix + ".up"), layout.adapter().scaling());
    }

    private static void attach(List<AdapterSlot> used, AdapterSlot slot, Block adapter) {
        adapter.setInitializer(Initializer.ZEROS, p -> true);
        slot.attach(adapter);
        used.add(slot);
    }

    /** A layout made for one model must be attached to that model (labels aside); names each field that differs. */
    static void checkCompatible(ModelConfig layout, ModelConfig model) {
        List<String> diffs = new ArrayList<>();
        compare(diffs, "family", layout.family(), model.family());
        compare(diffs, "hiddenSize", layout.hiddenSize(), model.hiddenSize());
        compare(diffs, "numLayers", layout.numLayers(), model.numLayers());
        compare(diffs, "intermediateSize", layout.intermediateSize(), model.intermediateSize());
        compare(diffs, "numHeads", layout.numHeads(), model.numHeads());
        compare(diffs, "numKeyValueHeads", layout.numKeyValueHeads(), model.numKeyValueHeads());
        compare(diffs, "vocabSize", layout.vocabSize(), model.vocabSize());
        compare(diffs, "maxPositions", layout.maxPositions(), model.maxPositions());
        compare(diffs, "typeVocabSize", layout.typeVocabSize(), model.typeVocabSize());
        compare(diffs, "tieWordEmbeddings", layout.tieWordEmbeddings(), model.tieWordEmbeddings());
        compare(diffs, "attentionBias", layout.attentionBias(), model.attentionBias());
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException("adapter layout was made for another model: " + String.join(", ", diffs));
        }
    }

    private static void compare(List<String> diffs, String field, Object layout, Object model) {
        if (!layout.equals(model)) {
            diffs.add(field + " " + layout + " in the layout vs " + model + " in config.json");
        }
    }
}
