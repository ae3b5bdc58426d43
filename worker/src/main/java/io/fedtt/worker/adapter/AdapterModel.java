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
import io.fedtt.core.adapter.TtLayerSpec;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.model.PretrainedEncoder;
import io.fedtt.worker.model.TextTokenizer;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.bert.BertEncoder;
import io.fedtt.worker.model.bert.BertLayer;
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

    private final BertEncoder encoder;
    private final ClassificationHead head;
    private final AdapterLayout layout;
    private final Map<String, Parameter> layoutParameters;
    private final Map<String, Parameter> allParameters;
    private final Map<String, Tensor> pretrained;
    private final List<AdapterSlot> usedSlots;
    private NDManager manager;
    private TextTokenizer tokenizer;

    private AdapterModel(BertEncoder encoder, ClassificationHead head, AdapterLayout layout,
            Map<String, Parameter> layoutParameters, Map<String, Parameter> allParameters,
            Map<String, Tensor> pretrained, List<AdapterSlot> usedSlots) {
        this.encoder = encoder;
        this.head = head;
        this.layout = layout;
        this.layoutParameters = layoutParameters;
        this.allParameters = allParameters;
        this.pretrained = pretrained;
        this.usedSlots = usedSlots;
    }

    /** Attaches to a loaded pretrained model; the adapter lives in the model's manager. */
    public static AdapterModel attach(PretrainedEncoder base, AdapterLayout layout, AdapterState initial,
            ClassificationHead.Pooling pooling) {
        AdapterModel m = attach(base.encoder(), base.manager(), layout, initial, pooling);
        m.tokenizer = base.tokenizer();
        return m;
    }

    /**
     * Attaches the layout's adapters and head to an initialized, loaded encoder, loads {@code initial}
     * into them and makes exactly the layout's tensors trainable.
     *
     * @param initial a complete state for the layout, e.g. {@link AdapterInitializer#initialize}
     */
    public static AdapterModel attach(BertEncoder encoder, NDManager manager, AdapterLayout layout,
            AdapterState initial, ClassificationHead.Pooling pooling) {
        checkCompatible(layout.model(), encoder.config());
        AdapterConfig a = layout.adapter();
        List<AdapterSlot> slots = new ArrayList<>();
        switch (a.type()) {
            case TT -> {
                for (int i = 0; i < encoder.layers().size(); i++) {
                    BertLayer layer = encoder.layer(i);
                    String p = "encoder.layer." + i + ".";
                    attach(slots, layer.attentionOutput().adapterSlot(), ttAdapter(layout, p + "attention.output.adapter"));
                    attach(slots, layer.output().adapterSlot(), ttAdapter(layout, p + "output.adapter"));
                }
                for (TtLayerSpec d : layout.ttLayers()) {
                    if (d.kind() == TtLayerSpec.Kind.DELTA) {
                        String module = d.name().substring(0, d.name().length() - ".tt_delta".length());
                        attach(slots, projection(encoder, module).delta(), new TtDelta(d, a.scaling()));
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
                    var host = projection(encoder, module);
                    attach(slots, host.delta(), new LoraDelta(aShape[1], out, a.loraRank(), a.loraAlpha()));
                }
            }
            case FULL -> {
                // every base weight is trainable; nothing to insert
            }
        }
        ClassificationHead head = null;
        if (layout.model().hasHead()) {
            int h = layout.model().hiddenSize();
            Block dense = switch (a.head()) {
                case TT -> new TtLinear(layout.ttLayer("classifier.dense"));
                case DENSE -> Linear.builder().setUnits(h).build();
                case LINEAR -> null;
            };
            head = new ClassificationHead(dense, h, layout.model().numLabels(),
                    encoder.config().hiddenDropoutProb(), pooling);
            head.setInitializer(Initializer.ZEROS, p -> true);
            Shape ids = new Shape(1, 8);
            head.initialize(manager, DataType.FLOAT32, ids.add(h), ids);
        }
        Map<String, Parameter> all = new LinkedHashMap<>(encoder.namedParameters());
        if (head != null) {
            head.collectParameters("classifier.", all);
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
        AdapterModel model = new AdapterModel(encoder, head, layout, byLayout, all, pretrained, slots);
        model.manager = manager;
        model.load(initial, true);
        model.setTrainable(TrainableMask.of(layout.names()));
        return model;
    }

    public AdapterLayout layout() {
        return layout;
    }

    public BertEncoder encoder() {
        return encoder;
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
        NDArray hidden = encoder.forward(ps, inputs, training).singletonOrThrow();
        return head.forward(ps, new NDList(hidden, inputs.get(1)), training).singletonOrThrow();
    }

    /** The current value of every layout tensor, with the adapter type in the metadata. */
    public AdapterState state() {
        return export(layout.names());
    }

    /** The current values of some layout tensors (an update restricted to a FedTT+ mask). */
    public AdapterState export(Collection<String> names) {
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (String n : names) {
            Parameter p = layoutParameters.get(n);
            if (p == null) {
                throw new IllegalArgumentException("'" + n + "' is not in the " + layout.adapter().typeName() + " layout");
            }
            values.put(n, toTensor(p.getArray()));
        }
        return new AdapterState(values, Map.of(AdapterInitializer.ADAPTER_TYPE, layout.adapter().typeName()));
    }

    /**
     * Loads a state (a subset is fine: a FedTT+ masked global). Tensors the state marks as
     * {@link AdapterInitializer#FROM_BASE} that still hold the initializer's placeholder take the
     * pretrained value instead.
     */
    public void load(AdapterState state) {
        load(state, false);
    }

    private void load(AdapterState state, boolean complete) {
        layout.check(state, complete);
        Set<String> fromBase = new HashSet<>(AdapterInitializer.fromBase(state));
        for (Map.Entry<String, Tensor> e : state.tensors().entrySet()) {
            String name = e.getKey();
            Tensor value = e.getValue();
            if (fromBase.contains(name) && pretrained.containsKey(name) && isPlaceholder(name, value)) {
                value = pretrained.get(name);
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
        pretrained.forEach((name, value) -> layoutParameters.get(name).getArray().set(FloatBuffer.wrap(value.data())));
    }

    /** AdapterInitializer's placeholder for a from-base tensor: norm weights 1, everything else 0. */
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

    /** "encoder.layer.3.attention.self.query" -> that layer's projection. */
    private static io.fedtt.worker.nn.AdaptableLinear projection(BertEncoder encoder, String module) {
        String rest = module.substring("encoder.layer.".length());
        int dot = rest.indexOf('.');
        int layer = Integer.parseInt(rest.substring(0, dot));
        return encoder.layer(layer).projection(rest.substring(dot + 1));
    }

    static void checkCompatible(ModelConfig m, BertConfig c) {
        List<String> diffs = new ArrayList<>();
        if (m.family() != ModelConfig.Family.BERT) {
            diffs.add("family " + m.family() + " (the encoder is BERT-family)");
        }
        compare(diffs, "hiddenSize", m.hiddenSize(), c.hiddenSize());
        compare(diffs, "numLayers", m.numLayers(), c.numHiddenLayers());
        compare(diffs, "intermediateSize", m.intermediateSize(), c.intermediateSize());
        compare(diffs, "numHeads", m.numHeads(), c.numAttentionHeads());
        compare(diffs, "vocabSize", m.vocabSize(), c.vocabSize());
        compare(diffs, "maxPositions", m.maxPositions(), c.maxPositionEmbeddings());
        compare(diffs, "typeVocabSize", m.typeVocabSize(), c.typeVocabSize());
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException("adapter layout was made for another model: " + String.join(", ", diffs));
        }
    }

    /** The core's model description of a loaded encoder, for building its adapter layout. */
    public static ModelConfig modelConfig(BertConfig c, int numLabels) {
        return ModelConfig.bert(c.hiddenSize(), c.numHiddenLayers(), c.intermediateSize(), c.numAttentionHeads(),
                c.vocabSize(), c.maxPositionEmbeddings(), c.typeVocabSize(), numLabels);
    }

    private static void compare(List<String> diffs, String field, int layout, int model) {
        if (layout != model) {
            diffs.add(field + " " + layout + " in the layout vs " + model + " in config.json");
        }
    }
}
