package io.fedtt.cli.simulate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fedtt.core.adapter.AdapterConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata {@code fedtt simulate} writes into adapter.safetensors, so a reader knows what the tensors
 * are for: {@code fedtt.model.uri}, {@code fedtt.method}, {@code fedtt.labels} (a JSON array of strings,
 * in class-index order: a label may hold a comma), {@code fedtt.adapter} (a JSON object with the
 * adapter's type and only the fields of that type, named as in {@code spec.adapter}), and since
 * {@code fedtt predict} reads them back, {@code fedtt.model.maxSequenceLength} (the length the job
 * truncated its texts to) and {@code fedtt.task} ({@code spec.model.task}, e.g.
 * {@code sequence-classification}). Readers treat the last two as optional: earlier files lack them.
 *
 * <p>Files written before this format held the labels comma-joined and the adapter as a Java
 * {@code toString}; {@link #labels} and {@link #adapterConfig} read only the JSON forms.
 */
public final class AdapterMetadata {

    public static final String MODEL_URI = "fedtt.model.uri";
    public static final String LABELS = "fedtt.labels";
    public static final String METHOD = "fedtt.method";
    public static final String ADAPTER = "fedtt.adapter";
    public static final String MAX_SEQUENCE_LENGTH = "fedtt.model.maxSequenceLength";
    public static final String TASK = "fedtt.task";

    private static final ObjectMapper JSON = new ObjectMapper();

    private AdapterMetadata() {}

    public static Map<String, String> of(String modelUri, List<String> labels, String method, AdapterConfig adapter) {
        return of(modelUri, labels, method, adapter, null, null);
    }

    /**
     * @param maxSequenceLength the job's truncation length; null leaves the key out
     * @param task              the job's task ({@code spec.model.task}); null leaves the key out
     */
    public static Map<String, String> of(String modelUri, List<String> labels, String method, AdapterConfig adapter,
            Integer maxSequenceLength, String task) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MODEL_URI, modelUri);
        ArrayNode list = JSON.createArrayNode();
        labels.forEach(list::add);
        m.put(LABELS, list.toString());
        m.put(METHOD, method);
        m.put(ADAPTER, adapterJson(adapter).toString());
        if (maxSequenceLength != null) {
            m.put(MAX_SEQUENCE_LENGTH, Integer.toString(maxSequenceLength));
        }
        if (task != null) {
            m.put(TASK, task);
        }
        return m;
    }

    /** The adapter as JSON: its type and the fields that type has. */
    static ObjectNode adapterJson(AdapterConfig c) {
        ObjectNode o = JSON.createObjectNode();
        o.put("type", c.typeName());
        switch (c.type()) {
            case TT -> {
                o.put("ttRank", c.ttRank());
                o.put("bottleneck", c.bottleneck());
                if (!c.modes().isEmpty()) {
                    ObjectNode modes = o.putObject("modes");
                    c.modes().forEach((k, v) -> v.forEach(modes.putArray(k)::add));
                }
                o.put("init", c.init().name().toLowerCase(java.util.Locale.ROOT));
                o.put("trainLayerNorm", c.trainLayerNorm());
                o.put("adapterBias", c.adapterBias().name().toLowerCase(java.util.Locale.ROOT));
                if (!c.ttProjections().isEmpty()) {
                    ArrayNode projections = o.putArray("ttProjections");
                    c.ttProjections().forEach(projections::add);
                }
                o.put("scaling", c.scaling());
            }
            case LORA -> {
                o.put("rank", c.loraRank());
                o.put("alpha", c.loraAlpha());
                ArrayNode targets = o.putArray("targets");
                c.loraTargets().forEach(targets::add);
                o.put("scaling", c.scaling());
            }
            case FULL -> { }
        }
        o.put("head", c.head().name().toLowerCase(java.util.Locale.ROOT));
        return o;
    }

    /**
     * The adapter configuration {@link #adapterJson} wrote, read back: fields left out take the
     * defaults of {@link AdapterConfig#tt()}, {@link AdapterConfig#lora} and {@link AdapterConfig#full()}.
     *
     * @throws IllegalArgumentException naming the key or field when it is missing or malformed
     */
    public static AdapterConfig adapterConfig(Map<String, String> metadata) {
        String value = metadata.get(ADAPTER);
        if (value == null) {
            throw new IllegalArgumentException("no " + ADAPTER + " in the adapter's metadata");
        }
        JsonNode o;
        try {
            o = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            o = null;
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException(ADAPTER + " must be a JSON object, found: " + value);
        }
        String type = text(o, "type", null);
        if (type == null) {
            throw new IllegalArgumentException(ADAPTER + " has no \"type\" (tt, lora or full): " + value);
        }
        AdapterConfig c;
        try {
            c = switch (type) {
                case "tt" -> {
                    AdapterConfig tt = AdapterConfig.tt(integer(o, "ttRank", AdapterConfig.DEFAULT_TT_RANK),
                            integer(o, "bottleneck", AdapterConfig.DEFAULT_BOTTLENECK));
                    if (o.has("modes")) {
                        JsonNode modes = o.get("modes");
                        if (!modes.isObject()) {
                            throw new IllegalArgumentException("\"modes\" must be an object of integer lists");
                        }
                        Map<String, List<Integer>> m = new LinkedHashMap<>();
                        for (Map.Entry<String, JsonNode> e : modes.properties()) {
                            m.put(e.getKey(), integers(e.getValue(), "modes." + e.getKey()));
                        }
                        tt = tt.withModes(m);
                    }
                    tt = tt.withInit(AdapterConfig.Init.valueOf(
                            text(o, "init", "identity").toUpperCase(java.util.Locale.ROOT)));
                    tt = tt.withTrainLayerNorm(bool(o, "trainLayerNorm", true));
                    // absent in adapters written before the option: both biases, as they had
                    tt = tt.withAdapterBias(AdapterConfig.AdapterBias.valueOf(
                            text(o, "adapterBias", "both").toUpperCase(java.util.Locale.ROOT)));
                    if (o.has("ttProjections")) {
                        tt = tt.withTtProjections(strings(o.get("ttProjections"), "ttProjections"));
                    }
                    yield tt;
                }
                case "lora" -> AdapterConfig.lora(integer(o, "rank", AdapterConfig.DEFAULT_LORA_RANK),
                                o.has("targets") ? strings(o.get("targets"), "targets") : AdapterConfig.DEFAULT_LORA_TARGETS)
                        .withLoraAlpha(number(o, "alpha", AdapterConfig.DEFAULT_LORA_ALPHA));
                case "full" -> AdapterConfig.full();
                default -> throw new IllegalArgumentException("unknown \"type\" '" + type + "' (tt, lora or full)");
            };
            if (o.has("scaling")) {
                c = c.withScaling(number(o, "scaling", 1.0));
            }
            if (o.has("head")) {
                c = c.withHead(AdapterConfig.Head.valueOf(text(o, "head", null).toUpperCase(java.util.Locale.ROOT)));
            }
        } catch (IllegalArgumentException e) { // also an unknown init or head (valueOf)
            throw new IllegalArgumentException(ADAPTER + ": " + e.getMessage() + " in " + value, e);
        }
        return c;
    }

    private static String text(JsonNode o, String field, String dflt) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string");
        }
        return n.asText();
    }

    private static int integer(JsonNode o, String field, int dflt) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an integer");
        }
        return n.asInt();
    }

    private static double number(JsonNode o, String field, double dflt) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a number");
        }
        return n.asDouble();
    }

    private static boolean bool(JsonNode o, String field, boolean dflt) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException("\"" + field + "\" must be true or false");
        }
        return n.asBoolean();
    }

    private static List<Integer> integers(JsonNode n, String field) {
        List<Integer> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                    out = null;
                    break;
                }
                out.add(e.asInt());
            }
        }
        if (!n.isArray() || out == null) {
            throw new IllegalArgumentException("\"" + field + "\" must be a list of integers");
        }
        return out;
    }

    private static List<String> strings(JsonNode n, String field) {
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isTextual()) {
                    out = null;
                    break;
                }
                out.add(e.asText());
            }
        }
        if (!n.isArray() || out == null) {
            throw new IllegalArgumentException("\"" + field + "\" must be a list of strings");
        }
        return out;
    }

    /** The labels of an adapter file's metadata, in class-index order. */
    public static List<String> labels(Map<String, String> metadata) {
        String value = metadata.get(LABELS);
        if (value == null) {
            throw new IllegalArgumentException("no " + LABELS + " in the adapter's metadata");
        }
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(LABELS + " must be a JSON array of strings, found: " + value);
        }
        List<String> labels = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw new IllegalArgumentException(LABELS + " must be a JSON array of strings, found: " + value);
            }
            labels.add(n.asText());
        }
        return labels;
    }
}
