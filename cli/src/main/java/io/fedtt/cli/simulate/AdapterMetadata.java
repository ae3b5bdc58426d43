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
 * in class-index order: a label may hold a comma) and {@code fedtt.adapter} (a JSON object with the
 * adapter's type and only the fields of that type, named as in {@code spec.adapter}).
 *
 * <p>Files written before this format held the labels comma-joined and the adapter as a Java
 * {@code toString}; nothing in fedtt reads those keys back, so {@link #labels} reads only the JSON form.
 */
public final class AdapterMetadata {

    public static final String MODEL_URI = "fedtt.model.uri";
    public static final String LABELS = "fedtt.labels";
    public static final String METHOD = "fedtt.method";
    public static final String ADAPTER = "fedtt.adapter";

    private static final ObjectMapper JSON = new ObjectMapper();

    private AdapterMetadata() {}

    public static Map<String, String> of(String modelUri, List<String> labels, String method, AdapterConfig adapter) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MODEL_URI, modelUri);
        ArrayNode list = JSON.createArrayNode();
        labels.forEach(list::add);
        m.put(LABELS, list.toString());
        m.put(METHOD, method);
        m.put(ADAPTER, adapterJson(adapter).toString());
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
