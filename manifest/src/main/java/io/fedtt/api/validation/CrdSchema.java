package io.fedtt.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The openAPIV3Schema of one version of a CRD, and lookups in it along an instance path. */
final class CrdSchema {
  static final String CLASSPATH_LOCATION = "META-INF/fabric8/" + FederatedFineTune.CRD_FILE;
  private static final ObjectMapper YAML = new YAMLMapper();

  private final JsonNode root;

  private CrdSchema(JsonNode root) {
    this.root = root;
  }

  JsonNode root() {
    return root;
  }

  static CrdSchema fromClasspath() {
    try (InputStream in = CrdSchema.class.getClassLoader().getResourceAsStream(CLASSPATH_LOCATION)) {
      if (in == null) {
        throw new IllegalStateException(CLASSPATH_LOCATION + " is not on the classpath; build the crds module"
            + " (mvn -pl crds install) so that GenerateCrd writes it");
      }
      return fromYaml(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + CLASSPATH_LOCATION, e);
    }
  }

  /** Reads a CustomResourceDefinition (YAML or JSON) and takes the schema of version v1alpha1. */
  static CrdSchema fromYaml(String crdYaml) {
    JsonNode crd;
    try {
      crd = YAML.readTree(crdYaml);
    } catch (IOException e) {
      throw new IllegalArgumentException("the CRD is not valid YAML: " + e.getMessage(), e);
    }
    for (JsonNode version : crd.path("spec").path("versions")) {
      if (FederatedFineTune.VERSION.equals(version.path("name").asText())) {
        JsonNode schema = version.path("schema").path("openAPIV3Schema");
        if (!schema.isObject()) {
          throw new IllegalArgumentException("CRD version " + FederatedFineTune.VERSION + " has no openAPIV3Schema");
        }
        return new CrdSchema(schema);
      }
    }
    throw new IllegalArgumentException("the CRD has no version " + FederatedFineTune.VERSION);
  }

  /**
   * The schema that applies at an instance location given as names (String) and indices
   * (Integer), or null when the location is outside the schema.
   */
  JsonNode at(List<Object> elements) {
    JsonNode schema = root;
    for (Object element : elements) {
      schema = child(schema, element);
      if (schema == null) {
        return null;
      }
    }
    return schema;
  }

  static JsonNode child(JsonNode schema, Object element) {
    if (element instanceof Integer) {
      JsonNode items = schema.get("items");
      return items != null && items.isObject() ? items : null;
    }
    JsonNode property = schema.path("properties").get(String.valueOf(element));
    if (property != null) {
      return property;
    }
    JsonNode additional = schema.get("additionalProperties");
    return additional != null && additional.isObject() ? additional : null;
  }
}
