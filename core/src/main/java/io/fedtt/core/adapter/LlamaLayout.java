package io.fedtt.core.adapter;

/** Tensor names and shapes for the LLaMA family, Hugging Face naming. */
final class LlamaLayout {

    private LlamaLayout() {
    }

    /** Adapters on the inputs of gate_proj and up_proj and on the output of down_proj. */
    static void tt(ModelConfig m, AdapterConfig a, LayoutBuilder b) {
        int h = m.hiddenSize();
        for (int i = 0; i < m.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            if (a.trainLayerNorm()) {
                b.base(p + "input_layernorm.weight", Role.NORM, h);
                b.base(p + "post_attention_layernorm.weight", Role.NORM, h);
            }
            b.adapter(p + "mlp.gate_proj.input_adapter", h);
            b.adapter(p + "mlp.up_proj.input_adapter", h);
            b.adapter(p + "mlp.down_proj.output_adapter", h);
        }
        if (a.trainLayerNorm()) {
            b.base("model.norm.weight", Role.NORM, h);
        }
        head(m, b);
    }

    static void lora(ModelConfig m, AdapterConfig a, LayoutBuilder b) {
        int h = m.hiddenSize();
        var targets = LoraTargets.resolve(m, a.loraTargets());
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

    /** Every weight; lm_head when there are no labels, the classification "score" layer otherwise. */
    static void full(ModelConfig m, LayoutBuilder b) {
        int h = m.hiddenSize();
        int f = m.intermediateSize();
        b.base("model.embed_tokens.weight", Role.FULL, m.vocabSize(), h);
        for (int i = 0; i < m.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            b.base(p + "input_layernorm.weight", Role.FULL, h);
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                b.base(p + "self_attn." + proj + ".weight", Role.FULL, h, h);
            }
            b.base(p + "post_attention_layernorm.weight", Role.FULL, h);
            b.base(p + "mlp.gate_proj.weight", Role.FULL, f, h);
            b.base(p + "mlp.up_proj.weight", Role.FULL, f, h);
            b.base(p + "mlp.down_proj.weight", Role.FULL, h, f);
        }
        b.base("model.norm.weight", Role.FULL, h);
        if (m.hasHead()) {
            head(m, b);
        } else {
            b.base("lm_head.weight", Role.FULL, m.vocabSize(), h);
        }
    }

    private static void head(ModelConfig m, LayoutBuilder b) {
        if (m.hasHead()) {
            b.add("score.weight", Role.HEAD, m.numLabels(), m.hiddenSize());
        }
    }
}
