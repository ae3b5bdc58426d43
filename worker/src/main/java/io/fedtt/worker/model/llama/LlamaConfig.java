package io.fedtt.worker.model.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedtt.core.adapter.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * The fields of a Hugging Face {@code config.json} that a LLaMA-family decoder needs: LLaMA
 * (1, 2, 3), Mistral and Qwen2, which differ only by configuration (Qwen2: biases on q, k and v;
 * Mistral: a sliding attention window). Missing fields take Hugging Face's LlamaConfig defaults.
 *
 * @param headDim        per-head width (config.json head_dim, else hidden_size / num_attention_heads)
 * @param ropeScaling    null for plain RoPE
 * @param slidingWindow  0 when attention is not windowed
 */
public record LlamaConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        float rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        int slidingWindow,
        int bosTokenId,
        int eosTokenId,
        int padTokenId) {

    /** config.json model_type values this decoder loads. */
    public static final Set<String> MODEL_TYPES = Set.of("llama", "mistral", "qwen2");

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * RoPE frequency scaling ({@code rope_scaling}); {@code llama3} (LLaMA 3.1+) and {@code linear}.
     * Only the fields of the type in use are meaningful.
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
                              int originalMaxPositions) {
        static final Set<String> TYPES = Set.of("llama3", "linear", "default");
    }

    public LlamaConfig {
        if (!MODEL_TYPES.contains(modelType)) {
            throw new IllegalArgumentException("config.json: model_type '" + modelType
                    + "' is not a supported LLaMA-family decoder " + MODEL_TYPES);
        }
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("config.json: num_attention_heads " + numAttentionHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("config.json: head_dim " + headDim + " must be even for rotary embeddings");
        }
        if (!(rmsNormEps > 0)) {
            throw new IllegalArgumentException("config.json: rms_norm_eps must be > 0, got " + rmsNormEps);
        }
        if (!(ropeTheta > 0) || !Double.isFinite(ropeTheta)) {
            throw new IllegalArgumentException("config.json: rope_theta must be > 0, got " + ropeTheta);
        }
        if (slidingWindow < 0) {
            throw new IllegalArgumentException("config.json: sliding_window must be >= 0, got " + slidingWindow);
        }
    }

    /** The core's description of this model (no labels). */
    public ModelConfig modelConfig() {
        return ModelConfig.llama(hiddenSize, numHiddenLayers, intermediateSize, numAttentionHeads, numKeyValueHeads,
                vocabSize, maxPositionEmbeddings, tieWordEmbeddings, attentionBias);
    }

    public int kvDim() {
        return numKeyValueHeads * headDim;
    }

    public int qDim() {
        return numAttentionHeads * headDim;
    }

    public static LlamaConfig read(Path file) throws IOException {
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IOException(file + ": expected a JSON object");
        }
        try {
            return fromJson(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public static LlamaConfig fromJson(JsonNode n) {
        String type = text(n, "model_type", "llama");
        String act = text(n, "hidden_act", "silu");
        if (!"silu".equals(act)) {
            throw new IllegalArgumentException("config.json: hidden_act '" + act + "' is not supported (silu)");
        }
        int hidden = integer(n, "hidden_size", 4096);
        int heads = integer(n, "num_attention_heads", 32);
        JsonNode hd = n.get("head_dim");
        int headDim = hd == null || hd.isNull() ? (heads > 0 ? hidden / heads : 0) : integer(n, "head_dim", 0);
        boolean qwen = "qwen2".equals(type);
        int window = 0;
        if (!"llama".equals(type) && (!qwen || bool(n, "use_sliding_window", false))) {
            window = integer(n, "sliding_window", 0);
        }
        int eos = firstInteger(n, "eos_token_id", 2);
        return new LlamaConfig(
                type,
                integer(n, "vocab_size", 32000),
                hidden,
                integer(n, "intermediate_size", 11008),
                integer(n, "num_hidden_layers", 32),
                heads,
                integer(n, "num_key_value_heads", heads),
                headDim,
                (float) number(n, "rms_norm_eps", 1e-6),
                number(n, "rope_theta", 10000.0),
                ropeScaling(n.get("rope_scaling")),
                integer(n, "max_position_embeddings", 2048),
                bool(n, "tie_word_embeddings", false),
                bool(n, "attention_bias", qwen),
                bool(n, "mlp_bias", false),
                window,
                firstInteger(n, "bos_token_id", 1),
                eos,
                firstInteger(n, "pad_token_id", eos));
    }

    static RopeScaling ropeScaling(JsonNode s) {
        if (s == null || s.isNull()) {
            return null;
        }
        if (!s.isObject()) {
            throw new IllegalArgumentException("config.json: rope_scaling must be an object, got " + s);
        }
        String type = text(s, "rope_type", null);
        if (type == null) {
            type = text(s, "type", "default");
        }
        type = type.toLowerCase(Locale.ROOT);
        if (!RopeScaling.TYPES.contains(type)) {
            throw new IllegalArgumentException("config.json: rope_scaling type '" + type
                    + "' is not supported (llama3, linear)");
        }
        if ("default".equals(type)) {
            return null;
        }
        double factor = number(s, "factor", 1.0);
        if (!(factor >= 1.0)) {
            throw new IllegalArgumentException("config.json: rope_scaling.factor must be >= 1, got " + factor);
        }
        if ("linear".equals(type)) {
            return new RopeScaling(type, factor, 0, 0, 0);
        }
        double low = number(s, "low_freq_factor", 1.0);
        double high = number(s, "high_freq_factor", 4.0);
        int original = integer(s, "original_max_position_embeddings", 8192);
        if (!(high > low) || !(low > 0) || original < 1) {
            throw new IllegalArgumentException("config.json: rope_scaling needs high_freq_factor > low_freq_factor > 0"
                    + " and original_max_position_embeddings >= 1, got " + s);
        }
        return new RopeScaling(type, factor, low, high, original);
    }

    /** The dtype the checkpoint declares (torch_dtype), lower case; "float32" when absent. */
    public static String declaredDtype(JsonNode n) {
        return text(n, "torch_dtype", "float32").toLowerCase(Locale.ROOT);
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("config.json: " + field + " must be > 0, got " + v);
        }
    }

    private static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("config.json: " + field + " must be a string, got " + v);
        }
        return v.asText();
    }

    private static boolean bool(JsonNode n, String field, boolean dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("config.json: " + field + " must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private static int integer(JsonNode n, String field, int dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException("config.json: " + field + " must be an integer, got " + v);
        }
        return v.asInt();
    }

    /** An integer, or the first of a list (LLaMA 3 lists several eos ids). */
    private static int firstInteger(JsonNode n, String field, int dflt) {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) {
            return integer(n, field, dflt);
        }
        if (v.isEmpty()) {
            return dflt;
        }
        JsonNode first = v.get(0);
        if (!first.isIntegralNumber() || !first.canConvertToInt()) {
            throw new IllegalArgumentException("config.json: " + field + " must list integers, got " + v);
        }
        return first.asInt();
    }

    private static double number(JsonNode n, String field, double dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("config.json: " + field + " must be a number, got " + v);
        }
        return v.asDouble();
    }

}
