package io.fedtt.platform.chart;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses rendered manifests into Fabric8's typed model classes and fails on any field the model
 * does not know. Fabric8's classes normally keep unknown fields in {@code additionalProperties}
 * (their {@code @JsonAnySetter}); this mapper ignores those any-setters, so a misspelt or
 * misplaced key (say {@code readOnlyRootFileSystem}) is an error naming its path, and so is a key
 * given twice in one mapping.
 */
public final class StrictManifests {

  private static final KubernetesSerialization KUBE = new KubernetesSerialization();
  // A key twice in one mapping is an error, not "last one wins": the API server's and kubectl's YAML
  // readers refuse it, so a chart that renders one cannot be applied.
  private static final YAMLMapper YAML = YAMLMapper.builder(new YAMLFactory())
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .annotationIntrospector(new JacksonAnnotationIntrospector() {
        @Override
        public Boolean hasAnySetter(Annotated a) {
          return Boolean.FALSE;
        }
      })
      .build();

  private StrictManifests() {}

  /** Every non-empty YAML document, as its typed model object. */
  public static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> out = new ArrayList<>();
    try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isEmpty()) {
          continue;
        }
        out.add(parse(doc));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("rendered output is not YAML: " + e.getMessage(), e);
    }
    return out;
  }

  static HasMetadata parse(JsonNode doc) {
    String what = doc.path("kind").asText("?") + " " + doc.path("metadata").path("name").asText("?");
    Object loose = KUBE.convertValue(doc, io.fabric8.kubernetes.api.model.KubernetesResource.class);
    if (!(loose instanceof HasMetadata typed) || loose instanceof GenericKubernetesResource) {
      throw new AssertionError(what + " (" + doc.path("apiVersion").asText() + "): no Fabric8 model class knows this kind");
    }
    try {
      return STRICT.treeToValue(doc, typed.getClass());
    } catch (UnrecognizedPropertyException e) {
      throw new AssertionError(what + ": unknown field '" + e.getPropertyName() + "' at "
          + path(e) + " (not in " + e.getReferringClass().getSimpleName() + ")", e);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError(what + ": " + e.getOriginalMessage(), e);
    }
  }

  private static String path(UnrecognizedPropertyException e) {
    StringBuilder sb = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.toString();
  }
}
