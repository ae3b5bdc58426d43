package io.fedtt.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedtt.core.adapter.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Hugging Face {@code config.json} as far as the model's shape goes: the one place that turns
 * config.json into the core's {@link ModelConfig}. Which family it is comes from {@code model_type}
 * (or, when that is absent, {@code architectures}); anything else is refused naming both. Missing
 * fields take Hugging Face's defaults (BertConfig, LlamaConfig; Qwen2 has attention biases). The
 * operator and {@code fedtt simulate} read a model's shape through this before anything loads
 * ({@link ModelConfigFetcher}); the worker reads the same file through it before the weights.
 *
 * <p>The field readers ({@link #integer}, {@link #text}, ...) are public for the worker's fuller
 * readers of the same file; their messages name the config.json key.
 */
public final class HfConfig {

    public static final String FILE = "config.json";
    /** config.json model_type values of BERT-family encoders. */
    public static final Set<String> BERT_TYPES = Set.of("bert", "roberta", "xlm-roberta", "camembert");
    /** config.json model_type values of LLaMA-family decoders. */
    public static final Set<String> LLAMA_TYPES = Set.of("llama", "mistral", "qwen2");
    /** The largest config.json read: 1 MiB (real ones are a few kilobytes; a long id2label map, tens). */
    public static final int MAX_BYTES = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfConfig() {
    }

    /**
     * The JSON object of a config.json; {@code source} names it in errors.
     *
     * @throws ConfigJsonException not JSON, not an object, or larger than {@link #MAX_BYTES}
     */
    public static JsonNode parse(byte[] json, String source) throws ConfigJsonException {
        if (json.length > MAX_BYTES) {
            throw new ConfigJsonException(source + ": larger than " + MAX_BYTES + " bytes; not a config.json");
        }
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new ConfigJsonException(source + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new ConfigJsonException(source + ": expected a JSON object");
        }
        return n;
    }

    /** The JSON object of a config.json file, read up to {@link #MAX_BYTES}. */
    public static JsonNode read(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        return parse(bytes, file.toString());
    }

    /** The shape a config.json file describes (no labels). */
    public static ModelConfig describe(Path file) throws IOException {
        return describe(read(file), file.toString());
    }

    /**
     * The shape a config.json describes (no labels).
     *
     * @throws IllegalArgumentException prefixed with {@code source}: an unsupported family, or a field
     *     of the wrong type or out of range
     */
    public static ModelConfig describe(JsonNode config, String source) {
        try {
            return family(config, source) == ModelConfig.Family.LLAMA ? llama(config) : bert(config);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(source + ":")) {
                throw e;
            }
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** The family of the model a config.json file describes. */
    public static ModelConfig.Family family(Path file) throws IOException {
        return family(read(file), file.toString());
    }

    /** The family from model_type, else from architectures; an unsupported one names the supported types. */
    public static ModelConfig.Family family(JsonNode config, String source) {
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
        } else if (LLAMA_TYPES.contains(t)) {
            return ModelConfig.Family.LLAMA;
        }
        Set<String> supported = new TreeSet<>(BERT_TYPES);
        supported.addAll(LLAMA_TYPES);
        throw new IllegalArgumentException(source + ": model_type '" + t + "' (architectures " + architectures
                + ") is not a supported model family; supported model_type values: " + supported);
    }

    /** A BERT-family encoder's shape, with Hugging Face BertConfig's defaults. */
    public static ModelConfig bert(JsonNode n) {
        int hidden = positive("hidden_size", integer(n, "hidden_size", 768));
        int heads = positive("num_attention_heads", integer(n, "num_attention_heads", 12));
        multiple("hidden_size", hidden, "num_attention_heads", heads);
        return ModelConfig.bert(hidden,
                positive("num_hidden_layers", integer(n, "num_hidden_layers", 12)),
                positive("intermediate_size", integer(n, "intermediate_size", 3072)),
                heads,
                positive("vocab_size", integer(n, "vocab_size", 30522)),
                positive("max_position_embeddings", integer(n, "max_position_embeddings", 512)),
                positive("type_vocab_size", integer(n, "type_vocab_size", 2)),
                0);
    }

    /**
     * A LLaMA-family decoder's shape, with Hugging Face LlamaConfig's defaults: num_key_value_heads
     * defaults to num_attention_heads, attention_bias to true for qwen2 (false otherwise).
     */
    public static ModelConfig llama(JsonNode n) {
        int hidden = positive("hidden_size", integer(n, "hidden_size", 4096));
        int heads = positive("num_attention_heads", integer(n, "num_attention_heads", 32));
        int kvHeads = positive("num_key_value_heads", integer(n, "num_key_value_heads", heads));
        multiple("hidden_size", hidden, "num_attention_heads", heads);
        multiple("num_attention_heads", heads, "num_key_value_heads", kvHeads);
        boolean qwen = "qwen2".equals(text(n, "model_type", "llama"));
        return ModelConfig.llama(hidden,
                positive("num_hidden_layers", integer(n, "num_hidden_layers", 32)),
                positive("intermediate_size", integer(n, "intermediate_size", 11008)),
                heads, kvHeads,
                positive("vocab_size", integer(n, "vocab_size", 32000)),
                positive("max_position_embeddings", integer(n, "max_position_embeddings", 2048)),
                bool(n, "tie_word_embeddings", false),
                bool(n, "attention_bias", qwen));
    }

    /** A string field, or {@code dflt} when absent or null. */
    public static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("config.json: " + field + " must be a string, got " + v);
        }
        return v.asText();
    }

    /** An integer field (an int-sized JSON integer), or {@code dflt} when absent or null. */
    public static int integer(JsonNode n, String field, int dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("config.json: " + field + " must be an integer, got " + v);
        }
        return v.asInt();
    }

    /** A number field, or {@code dflt} when absent or null. */
    public static double number(JsonNode n, String field, double dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("config.json: " + field + " must be a number, got " + v);
        }
        return v.asDouble();
    }

    /** A boolean field, or {@code dflt} when absent or null. */
    public static boolean bool(JsonNode n, String field, boolean dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("config.json: " + field + " must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static int positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("config.json: " + field + " must be > 0, got " + v);
        }
        return v;
    }

    private static void multiple(String field, int value, String of, int divisor) {
        if (value % divisor != 0) {
            throw new IllegalArgumentException("config.json: " + field + " " + value + " is not a multiple of "
                    + of + " " + divisor);
        }
    }
}
