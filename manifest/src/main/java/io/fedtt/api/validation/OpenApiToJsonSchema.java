package io.fedtt.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * Turns a Kubernetes structural schema (OpenAPI v3.0 flavour) into a JSON Schema draft 4 document
 * with the same meaning for validation:
 * <ul>
 *   <li>objects with declared properties reject unknown fields ({@code additionalProperties: false}),
 *       as the API server does under strict field validation, unless
 *       {@code x-kubernetes-preserve-unknown-fields} is set;
 *   <li>{@code x-kubernetes-int-or-string} becomes {@code type: [integer, string]} when no anyOf says so;
 *   <li>{@code nullable: true} adds "null" to the type;
 *   <li>other {@code x-kubernetes-*} extensions, defaults, descriptions and formats are dropped (CEL
 *       rules are evaluated separately; draft 4's boolean exclusiveMinimum matches OpenAPI 3.0's).
 * </ul>
 */
final class OpenApiToJsonSchema {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Set<String> DROPPED = Set.of("default", "description", "example", "externalDocs", "format", "nullable");

  private OpenApiToJsonSchema() {}

  static ObjectNode convert(JsonNode k8s) {
    ObjectNode out = NODES.objectNode();
    for (Map.Entry<String, JsonNode> entry : k8s.properties()) {
      String key = entry.getKey();
      JsonNode value = entry.getValue();
      if (key.startsWith("x-kubernetes-") || DROPPED.contains(key)) {
        continue;
      }
      switch (key) {
        case "properties" -> {
          ObjectNode properties = out.putObject("properties");
          value.properties().forEach(p -> properties.set(p.getKey(), convert(p.getValue())));
        }
        case "items", "not" -> out.set(key, value.isObject() ? convert(value) : value);
        case "additionalProperties" -> out.set(key, value.isObject() ? convert(value) : value);
        case "anyOf", "allOf", "oneOf" -> {
          ArrayNode branches = out.putArray(key);
          value.forEach(branch -> branches.add(convert(branch)));
        }
        default -> out.set(key, value.deepCopy());
      }
    }
    boolean preserveUnknown = k8s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (k8s.path("x-kubernetes-int-or-string").asBoolean(false) && !out.has("anyOf") && !out.has("type")) {
      out.putArray("type").add("integer").add("string");
    }
    if (k8s.path("nullable").asBoolean(false) && out.has("type")) {
      JsonNode type = out.get("type");
      ArrayNode types = type.isArray() ? (ArrayNode) type.deepCopy() : NODES.arrayNode().add(type);
      out.set("type", types.add("null"));
    }
    if (out.has("properties") && !out.has("additionalProperties") && !preserveUnknown) {
      out.put("additionalProperties", false);
    }
    return out;
  }
}
