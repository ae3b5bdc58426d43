package io.fedtt.core.adapter;

import java.util.List;

/**
 * Tensor names and shapes for the LLaMA family (LLaMA, Mistral, Qwen2), Hugging Face naming. k_proj and
 * v_proj map hidden to numKeyValueHeads x headDim ({@link ModelConfig#keyValueSize()}), which is less than
 * hidden under grouped-query attention.
 */
final class LlamaLayout {

    private LlamaLayout() {
    }

    /**
     * Adapters on the inputs of gate_proj and up_proj and on the output of down_proj; the TT deltas of
     * {@link AdapterConfig#ttProjections()} on their projections, in the model's order.
     */
    static void tt(ModelConfig m, AdapterConfig a, LayoutBuilder b) {
        int h = m.hiddenSize();
        List<Projections.Projection> deltas = Projections.resolve(m, a.ttProjections(), "ttProjections");
        for (int i = 0; i < m.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            if (a.trainLayerNorm()) {
                b.base(p + "input_layernorm.weight", Role.NORM, h);
                b.base(p + "post_attention_layernorm.weight", Role.NORM, h);
            }
            deltas(b, p, deltas, "self_attn.");
            b.adapter(p + "mlp.gate_proj.input_adapter", h);
            deltas(b, p, deltas, "mlp.gate_proj");
            b.adapter(p + "mlp.up_proj.input_adapter", h);
            deltas(b, p, deltas, "mlp.up_proj");
            deltas(b, p, deltas, "mlp.down_proj");
            b.adapter(p + "mlp.down_proj.output_adapter", h);
        }
        if (a.trainLayerNorm()) {
            b.base("model.norm.weight", Role.NORM, h);
        }
        head(m, b);
    }

    private static void deltas(LayoutBuilder b, String layer, List<Projections.Projection> deltas, String pathPrefix) {
        for (var d : deltas) {
            if (d.path().startsWith(pathPrefix)) {
                b.ttDelta(layer + d.path(), d.in(), d.out());
            }
        }
    }

    static void lora(ModelConfig m, AdapterConfig a, LayoutBuilder b) {
        int h = m.hiddenSize();
        var targets = Projections.resolve(m, a.loraTargets(), "loraTargets");
        for (int i = 0; i < m.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            if (a.trainLayerNorm()) {
                b.base(p + "input_layernorm.weight", Role.NORM, h);
                b.base(p + "post_attention_layernorm.weight", Role.NORM, h);
            }
            for (var t : targets) {
                b.lora(p + t.path(), t.in(), t.out());
            }
        }
        if (a.trainLayerNorm()) {
            b.base("model.norm.weight", Role.NORM, h);
        }
        head(m, b);
    }

    /**
     * Every weight: q/k/v biases when the model has attention biases; lm_head when there are no labels
     * and the embeddings are not tied (tied, the LM head is embed_tokens itself), the classification
     * "score" layer otherwise.
     */
    static void full(ModelConfig m, LayoutBuilder b) {
        int h = m.hiddenSize();
        int kv = m.keyValueSize();
        int f = m.intermediateSize();
        b.base("model.embed_tokens.weight", Role.FULL, m.vocabSize(), h);
        for (int i = 0; i < m.numLayers(); i++) {
            String p = "model.layers." + i + ".self_attn.";
            b.base("model.layers." + i + ".input_layernorm.weight", Role.FULL, h);
            projection(b, p + "q_proj", h, h, m.attentionBias());
            projection(b, p + "k_proj", h, kv, m.attentionBias());
            projection(b, p + "v_proj", h, kv, m.attentionBias());
            projection(b, p + "o_proj", h, h, false);
            p = "model.layers." + i + ".";
            b.base(p + "post_attention_layernorm.weight", Role.FULL, h);
            b.base(p + "mlp.gate_proj.weight", Role.FULL, f, h);
            b.base(p + "mlp.up_proj.weight", Role.FULL, f, h);
            b.base(p + "mlp.down_proj.weight", Role.FULL, h, f);
        }
        b.base("model.norm.weight", Role.FULL, h);
        if (m.hasHead()) {
            head(m, b);
        } else if (!m.tieWordEmbeddings()) {
            b.base("lm_head.weight", Role.FULL, m.vocabSize(), h);
        }
    }

    /** A linear layer's weight [out, in] (PyTorch's layout) and, with {@code bias}, its bias [out]. */
    private static void projection(LayoutBuilder b, String module, int in, int out, boolean bias) {
        b.base(module + ".weight", Role.FULL, out, in);
        if (bias) {
            b.base(module + ".bias", Role.FULL, out);
        }
    }

    private static void head(ModelConfig m, LayoutBuilder b) {
        if (m.hasHead()) {
            b.add("score.weight", Role.HEAD, m.numLabels(), m.hiddenSize());
        }
    }
}
