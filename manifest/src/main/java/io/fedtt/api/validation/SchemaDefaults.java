package io.fedtt.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the API server does to a custom resource before validating it: drops null values of
 * non-nullable fields, then fills in schema defaults, top-down, so that a defaulted {@code {}}
 * object receives its own fields' defaults too.
 */
final class SchemaDefaults {
  private SchemaDefaults() {}

  /** Modifies {@code value} in place. */
  static void apply(JsonNode value, JsonNode schema) {
    if (schema == null) {
      return;
    }
    if (value instanceof ObjectNode object) {
      JsonNode properties = schema.path("properties");
      List<String> nulls = new ArrayList<>();
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        JsonNode fieldSchema = CrdSchema.child(schema, field.getKey());
        if (field.getValue().isNull() && fieldSchema != null && !fieldSchema.path("nullable").asBoolean(false)) {
          nulls.add(field.getKey());
        }
      }
      nulls.forEach(object::remove);
      for (Map.Entry<String, JsonNode> property : properties.properties()) {
        JsonNode defaultValue = property.getValue().get("default");
        if (defaultValue != null && !object.has(property.getKey())) {
          object.set(property.getKey(), defaultValue.deepCopy());
        }
      }
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        apply(field.getValue(), CrdSchema.child(schema, field.getKey()));
      }
    } else if (value instanceof ArrayNode array) {
      JsonNode items = schema.get("items");
      if (items != null && items.isObject()) {
        for (JsonNode item : array) {
          apply(item, items);
        }
      }
    }
  }
}
