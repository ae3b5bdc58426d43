package io.fedtt.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates a manifest against the CRD's openAPIV3Schema with networknt's JSON Schema validator,
 * and words each error the way kubectl would: path plus a short message.
 */
final class SchemaChecker {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CrdSchema crd;
  private final Schema schema;

  SchemaChecker(CrdSchema crd) {
    this.crd = crd;
    ObjectNode root = OpenApiToJsonSchema.convert(crd.root());
    // The API server accepts these on every object; the CRD schema does not declare them.
    ObjectNode properties = root.withObjectProperty("properties");
    properties.putObject("apiVersion").put("type", "string");
    properties.putObject("kind").put("type", "string");
    properties.putObject("metadata").put("type", "object");
    String converted = root.toString();
    this.schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4)
        .getSchema(converted, InputFormat.JSON);
  }

  List<Problem> check(JsonNode manifest) {
    String json;
    try {
      json = JSON.writeValueAsString(manifest);
    } catch (Exception e) {
      return List.of(new Problem("", "cannot serialize the manifest: " + e.getMessage()));
    }
    List<Error> errors = schema.validate(json, InputFormat.JSON);
    Set<String> anyOfLocations = errors.stream()
        .filter(e -> "anyOf".equals(e.getKeyword()))
        .map(e -> path(elements(e.getInstanceLocation())))
        .collect(Collectors.toSet());
    Set<Problem> problems = new LinkedHashSet<>();
    for (Error error : errors) {
      List<Object> at = elements(error.getInstanceLocation());
      String keyword = error.getKeyword() == null ? "" : error.getKeyword();
      if (!"anyOf".equals(keyword) && anyOfLocations.contains(path(at))) {
        continue; // the anyOf message covers its branches
      }
      problems.add(describe(error, keyword, at, manifest));
    }
    List<Problem> sorted = new ArrayList<>(problems);
    sorted.sort(Comparator.naturalOrder());
    return sorted;
  }

  private Problem describe(Error error, String keyword, List<Object> at, JsonNode manifest) {
    JsonNode fieldSchema = crd.at(at);
    JsonNode value = valueAt(manifest, at);
    String path = path(at);
    if (fieldSchema == null && !"required".equals(keyword) && !"additionalProperties".equals(keyword)) {
      return new Problem(path, stripLocation(error.getMessage()));
    }
    switch (keyword) {
      case "required" -> {
        return new Problem(JsonPaths.child(path, error.getProperty()), "required field is missing");
      }
      case "additionalProperties" -> {
        String name = error.getProperty();
        List<String> known = new ArrayList<>();
        if (fieldSchema != null) {
          fieldSchema.path("properties").properties().forEach(p -> known.add(p.getKey()));
        }
        String hint = suggestion(name, known);
        return new Problem(JsonPaths.child(path, name), "unknown field" + hint);
      }
      case "type" -> {
        String expected = fieldSchema.path("x-kubernetes-int-or-string").asBoolean(false)
            ? "an integer or a string" : article(expectedType(fieldSchema));
        return new Problem(path, "must be " + expected + ", not " + describeValue(value));
      }
      case "enum" -> {
        List<String> allowed = new ArrayList<>();
        fieldSchema.path("enum").forEach(v -> allowed.add(v.asText()));
        return new Problem(path, "must be one of " + String.join(", ", allowed) + " (found " + describeValue(value) + ")");
      }
      case "pattern" -> {
        return new Problem(path, "must match " + fieldSchema.path("pattern").asText() + " (found " + describeValue(value) + ")");
      }
      case "minimum" -> {
        String op = fieldSchema.path("exclusiveMinimum").asBoolean(false) ? "> " : ">= ";
        return new Problem(path, "must be " + op + number(fieldSchema.path("minimum")) + " (found " + describeValue(value) + ")");
      }
      case "maximum" -> {
        String op = fieldSchema.path("exclusiveMaximum").asBoolean(false) ? "< " : "<= ";
        return new Problem(path, "must be " + op + number(fieldSchema.path("maximum")) + " (found " + describeValue(value) + ")");
      }
      case "minItems" -> {
        return new Problem(path, "must have at least " + fieldSchema.path("minItems").asInt() + " item(s) (found " + value.size() + ")");
      }
      case "maxItems" -> {
        return new Problem(path, "must have at most " + fieldSchema.path("maxItems").asInt() + " items (found " + value.size() + ")");
      }
      case "minLength" -> {
        return new Problem(path, "must be at least " + fieldSchema.path("minLength").asInt() + " character(s) long");
      }
      case "maxLength" -> {
        return new Problem(path, "must be at most " + fieldSchema.path("maxLength").asInt() + " characters long (found " + value.asText().length() + ")");
      }
      case "anyOf" -> {
        return new Problem(path, "must be an integer or a string, not " + describeValue(value));
      }
      default -> {
        return new Problem(path, stripLocation(error.getMessage()));
      }
    }
  }

  static List<Object> elements(NodePath location) {
    List<Object> elements = new ArrayList<>();
    if (location == null) {
      return elements;
    }
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      elements.add(element instanceof Number n ? Integer.valueOf(n.intValue()) : String.valueOf(element));
    }
    return elements;
  }

  static String path(List<Object> elements) {
    String path = "";
    for (Object element : elements) {
      path = element instanceof Integer i ? JsonPaths.index(path, i) : JsonPaths.child(path, (String) element);
    }
    return path;
  }

  private static JsonNode valueAt(JsonNode root, List<Object> elements) {
    JsonNode node = root;
    for (Object element : elements) {
      node = element instanceof Integer i ? node.path(i) : node.path((String) element);
    }
    return node;
  }

  private static String expectedType(JsonNode fieldSchema) {
    if (fieldSchema == null) {
      return "a different type";
    }
    return switch (fieldSchema.path("type").asText()) {
      case "object" -> "object (a mapping)";
      case "array" -> "array (a list)";
      case "" -> "a different type";
      default -> fieldSchema.path("type").asText();
    };
  }

  private static String article(String noun) {
    if (noun.startsWith("a ")) {
      return noun;
    }
    return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
  }

  static String describeValue(JsonNode value) {
    if (value == null || value.isMissingNode()) {
      return "nothing";
    }
    if (value.isTextual()) {
      String text = value.asText();
      return "\"" + (text.length() > 80 ? text.substring(0, 77) + "..." : text) + "\"";
    }
    if (value.isObject()) {
      return "an object";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isNull()) {
      return "null";
    }
    return value.toString();
  }

  private static String number(JsonNode n) {
    double d = n.asDouble();
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  /** " (did you mean x?)" for a close property name, else "". */
  static String suggestion(String name, java.util.Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    if (best == null || bestDistance > Math.max(2, name.length() / 3)) {
      return "";
    }
    return " (did you mean " + best + "?)";
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static String stripLocation(String message) {
    if (message == null) {
      return "invalid value";
    }
    int colon = message.indexOf(": ");
    return message.startsWith("$") && colon > 0 ? message.substring(colon + 2) : message;
  }
}
