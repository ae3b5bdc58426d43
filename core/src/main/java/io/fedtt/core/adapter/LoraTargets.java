package io.fedtt.core.adapter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Resolves LoRA target names to the modules of a model family, in the model's own order. */
final class LoraTargets {

    /** A projection LoRA can adapt: its module path inside a layer and its [in, out] sizes. */
    record Target(String path, int in, int out) {
    }

    private LoraTargets() {
    }

    static List<Target> resolve(ModelConfig model, List<String> requested) {
        int h = model.hiddenSize();
        int f = model.intermediateSize();
        Map<String, Target> known = new LinkedHashMap<>();
        Map<String, String> alias = new LinkedHashMap<>();
        if (model.family() == ModelConfig.Family.BERT) {
            known.put("query", new Target("attention.self.query", h, h));
            known.put("key", new Target("attention.self.key", h, h));
            known.put("value", new Target("attention.self.value", h, h));
            known.put("attention.output.dense", new Target("attention.output.dense", h, h));
            known.put("intermediate.dense", new Target("intermediate.dense", h, f));
            known.put("output.dense", new Target("output.dense", f, h));
            alias.putAll(Map.of("q_proj", "query", "k_proj", "key", "v_proj", "value", "o_proj", "attention.output.dense",
                    "q", "query", "k", "key", "v", "value"));
        } else {
            known.put("q_proj", new Target("self_attn.q_proj", h, h));
            known.put("k_proj", new Target("self_attn.k_proj", h, h));
            known.put("v_proj", new Target("self_attn.v_proj", h, h));
            known.put("o_proj", new Target("self_attn.o_proj", h, h));
            known.put("gate_proj", new Target("mlp.gate_proj", h, f));
            known.put("up_proj", new Target("mlp.up_proj", h, f));
            known.put("down_proj", new Target("mlp.down_proj", f, h));
            alias.putAll(Map.of("query", "q_proj", "key", "k_proj", "value", "v_proj", "q", "q_proj", "k", "k_proj",
                    "v", "v_proj", "o", "o_proj"));
        }
        List<String> wanted = new ArrayList<>();
        for (String raw : requested) {
            String t = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
            String canonical = known.containsKey(t) ? t : alias.get(t);
            if (canonical == null) {
                throw new IllegalArgumentException("loraTargets: unknown projection '" + raw + "' for a "
                        + model.family() + " model; known: " + known.keySet());
            }
            if (!wanted.contains(canonical)) {
                wanted.add(canonical);
            }
        }
        List<Target> out = new ArrayList<>();
        known.forEach((k, v) -> {
            if (wanted.contains(k)) {
                out.add(v);
            }
        });
        return out;
    }
}
