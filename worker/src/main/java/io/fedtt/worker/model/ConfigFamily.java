package io.fedtt.worker.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.llama.LlamaConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which model family a Hugging Face {@code config.json} describes, from its {@code model_type}
 * (or, when that is absent, its {@code architectures}); anything else is refused naming both.
 */
public final class ConfigFamily {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> BERT_TYPES = Set.of("bert", "roberta", "xlm-roberta", "camembert");

    private ConfigFamily() {
    }

    public static ModelConfig.Family of(Path configJson) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(configJson.toFile());
        } catch (IOException e) {
            throw new IOException(configJson + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IOException(configJson + ": expected a JSON object");
        }
        return of(n, configJson.toString());
    }

    /**
     * The core's description of the model a config.json describes (no labels), read without its
     * weights: what a job's declared architecture is checked against.
     */
    public static ModelConfig describe(Path configJson) throws IOException {
        return of(configJson) == ModelConfig.Family.LLAMA
                ? LlamaConfig.read(configJson).modelConfig()
                : BertConfig.read(configJson).modelConfig(0);
    }

    public static ModelConfig.Family of(JsonNode config, String source) {
        JsonNode type = config.get("model_type");
        List<String> architectures = new ArrayList<>();
        JsonNode arch = config.get("architectures");
        if (arch != null && arch.isArray()) {
            arch.forEach(a -> architectures.add(a.asText()));
        }
        String t = type != null && type.isTextual() ? type.asText().toLowerCase(Locale.ROOT) : null;
        if (t == null) {
            for (String a : architectures) {
                String lower = a.toLowerCase(Locale.ROOT);
                if (lower.startsWith("llama") || lower.startsWith("mistral") || lower.startsWith("qwen2")) {
                    return ModelConfig.Family.LLAMA;
                }
                if (lower.startsWith("bert") || lower.startsWith("roberta")) {
                    return ModelConfig.Family.BERT;
                }
            }
        } else if (BERT_TYPES.contains(t)) {
            return ModelConfig.Family.BERT;
        } else if (LlamaConfig.MODEL_TYPES.contains(t)) {
            return ModelConfig.Family.LLAMA;
        }
        Set<String> supported = new TreeSet<>(BERT_TYPES);
        supported.addAll(LlamaConfig.MODEL_TYPES);
        throw new IllegalArgumentException(source + ": model_type '" + t + "' (architectures " + architectures
                + ") is not a supported model family; supported model_type values: " + supported);
    }
}
