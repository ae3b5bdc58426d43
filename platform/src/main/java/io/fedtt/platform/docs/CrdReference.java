package io.fedtt.platform.docs;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Writes docs/crd-reference.md from the CRD's openAPIV3Schema: every field of spec and status with
 * its type, default, constraints and description, the printer columns, and the CEL validation
 * rules. Nothing in the page is written by hand, so it cannot drift from the CRD; a test checks the
 * committed page is current.
 *
 * <p>The Java model decides how deep to go: fields of the project's own classes are listed one by
 * one, Kubernetes types (PodTemplateSpec, Toleration, ...) appear once, by name, as in the
 * Kubernetes API reference.
 *
 * <p>Usage: {@code CrdReference <crd.yml> <out.md>}.
 */
public final class CrdReference {

  static final String MODEL_PACKAGE = "io.fedtt.";
  private static final String K8S_PACKAGE = "io.fabric8.kubernetes.api.model";
  private static final ObjectMapper JACKSON = new ObjectMapper();

  /** One row of a field table. */
  record Field(String path, String type, String defaultValue, String description) {}

  private CrdReference() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: CrdReference <crd.yml> <out.md>");
      System.exit(2);
    }
    String page = render(load(Path.of(args[0])), args[0]);
    Files.writeString(Path.of(args[1]), page, StandardCharsets.UTF_8);
  }

  public static CustomResourceDefinition load(Path crd) throws IOException {
    try (InputStream in = Files.newInputStream(crd)) {
      return new KubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
    }
  }

  /** The whole page; {@code source} is the CRD path named in its header. */
  public static String render(CustomResourceDefinition crd, String source) {
    var names = crd.getSpec().getNames();
    CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
    JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
    StringBuilder md = new StringBuilder();
    md.append("<!-- Generated from ").append(source).append(" by io.fedtt.platform.docs.CrdReference: do not edit.\n")
        .append("     Regenerate: mvn -pl platform -am test -Dtest=CrdReferenceTest -Dsurefire.failIfNoSpecifiedTests=false")
        .append(" -Dfedtt.updateDocs=true -->\n");
    md.append("# ").append(names.getKind()).append(" reference\n\n");
    md.append("`apiVersion: ").append(crd.getSpec().getGroup()).append('/').append(version.getName())
        .append("`, `kind: ").append(names.getKind()).append("`, ").append(crd.getSpec().getScope().toLowerCase())
        .append(", plural `").append(names.getPlural()).append('`');
    if (names.getShortNames() != null && !names.getShortNames().isEmpty()) {
      md.append(", short name ").append(names.getShortNames().stream().map(s -> "`" + s + "`")
          .collect(Collectors.joining(", ")));
    }
    md.append(".\n\n");
    md.append("Every field of `spec` and `status`, from the CRD's schema. Types in the project's model are\n"
        + "expanded field by field; Kubernetes types (`PodTemplateSpec`, `Toleration`, ...) are as in the\n"
        + "[Kubernetes API reference](https://kubernetes.io/docs/reference/kubernetes-api/). A default is\n"
        + "what the API server fills in when the field is left out.\n\n");

    List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
    if (columns != null && !columns.isEmpty()) {
      md.append("## `kubectl get` columns\n\n| column | type | from |\n|---|---|---|\n");
      for (CustomResourceColumnDefinition c : columns) {
        md.append("| ").append(c.getName()).append(" | ").append(c.getType()).append(" | `")
            .append(c.getJsonPath()).append("` |\n");
      }
      md.append('\n');
    }

    List<String[]> rules = new ArrayList<>();
    collectRules("", root, rules);
    Map<String, Class<?>> sections = new java.util.LinkedHashMap<>();
    sections.put("spec", FederatedFineTuneSpec.class);
    sections.put("status", FederatedFineTuneStatus.class);
    for (var e : sections.entrySet()) {
      JSONSchemaProps schema = root.getProperties().get(e.getKey());
      if (schema == null) {
        continue;
      }
      List<Field> fields = new ArrayList<>();
      walk(e.getKey(), schema, JACKSON.constructType(e.getValue()), fields);
      md.append("## `").append(e.getKey()).append("`\n\n");
      if (schema.getDescription() != null) {
        md.append(schema.getDescription().strip()).append("\n\n");
      }
      md.append("| field | type | default | description |\n|---|---|---|---|\n");
      for (Field f : fields) {
        md.append("| `").append(f.path()).append("` | ").append(cell(f.type())).append(" | ")
            .append(f.defaultValue() == null ? "" : "`" + cell(f.defaultValue()) + "`").append(" | ")
            .append(cell(f.description())).append(" |\n");
      }
      md.append('\n');
    }

    if (!rules.isEmpty()) {
      md.append("## Validation rules\n\nChecked by the API server (CEL, `x-kubernetes-validations`) and by `fedtt simulate`.\n\n")
          .append("| on | rule | message |\n|---|---|---|\n");
      for (String[] r : rules) {
        md.append("| `").append(r[0].isEmpty() ? "(resource)" : r[0]).append("` | `").append(cell(r[1]))
            .append("` | ").append(cell(r[2])).append(" |\n");
      }
    }
    return md.toString();
  }

  /** Adds a row for every property of {@code schema} (sorted as in the CRD), recursing into model types. */
  static void walk(String path, JSONSchemaProps schema, JavaType javaType, List<Field> out) {
    Map<String, JSONSchemaProps> props = schema.getProperties();
    if (props == null) {
      return;
    }
    Map<String, JavaType> javaProps = javaProperties(javaType);
    List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
    for (var e : props.entrySet()) {
      String name = e.getKey();
      JSONSchemaProps p = e.getValue();
      JavaType jt = javaProps.get(name);
      String childPath = path + "." + name;
      out.add(new Field(childPath, type(p, jt), defaultOf(p), description(p, required.contains(name))));
      // Arrays of objects and maps of objects continue with their element.
      JSONSchemaProps element = p;
      JavaType elementType = jt;
      String elementPath = childPath;
      while (true) {
        if ("array".equals(element.getType()) && element.getItems() != null && element.getItems().getSchema() != null) {
          element = element.getItems().getSchema();
          elementType = elementType == null ? null : elementType.getContentType();
          elementPath = elementPath + "[]";
        } else if ("object".equals(element.getType()) && !hasProperties(element)
            && element.getAdditionalProperties() != null && element.getAdditionalProperties().getSchema() != null) {
          element = element.getAdditionalProperties().getSchema();
          elementType = elementType == null ? null : elementType.getContentType();
          elementPath = elementPath + ".<key>";
        } else {
          break;
        }
      }
      if (isModel(elementType, element)) {
        walk(elementPath, element, elementType, out);
      }
    }
  }

  /** Our own classes are expanded; Kubernetes types and plain values are not. */
  private static boolean isModel(JavaType t, JSONSchemaProps schema) {
    if (!hasProperties(schema)) {
      return false;
    }
    if (t != null) {
      return t.getRawClass().getName().startsWith(MODEL_PACKAGE);
    }
    // No Java property matched (should not happen): expand only if the CRD documents the children.
    return schema.getProperties().values().stream().anyMatch(c -> c.getDescription() != null);
  }

  private static Map<String, JavaType> javaProperties(JavaType t) {
    if (t == null || !t.getRawClass().getName().startsWith(MODEL_PACKAGE)) {
      return Map.of();
    }
    BeanDescription d = JACKSON.getSerializationConfig().introspect(t);
    Map<String, JavaType> m = new java.util.HashMap<>();
    for (BeanPropertyDefinition p : d.findProperties()) {
      m.put(p.getName(), p.getPrimaryType());
    }
    return m;
  }

  static String type(JSONSchemaProps p, JavaType jt) {
    if (Boolean.TRUE.equals(p.getXKubernetesIntOrString())) {
      return "int or string";
    }
    String t = p.getType() == null ? "any" : p.getType();
    switch (t) {
      case "array" -> {
        JSONSchemaProps items = p.getItems() == null ? null : p.getItems().getSchema();
        return "[]" + (items == null ? "any" : type(items, jt == null ? null : jt.getContentType()));
      }
      case "object" -> {
        String k8s = kubernetesType(jt);
        if (k8s != null) {
          return k8s;
        }
        if (!hasProperties(p) && p.getAdditionalProperties() != null
            && p.getAdditionalProperties().getSchema() != null) {
          return "map[string]" + type(p.getAdditionalProperties().getSchema(), jt == null ? null : jt.getContentType());
        }
        return "object";
      }
      default -> {
        String k8s = kubernetesType(jt);
        String base = p.getFormat() == null ? t : t + " (" + p.getFormat() + ")";
        return k8s != null ? k8s : base;
      }
    }
  }

  private static String kubernetesType(JavaType jt) {
    if (jt == null || jt.isContainerType()) {
      return null;
    }
    Class<?> c = jt.getRawClass();
    return c.getName().startsWith(K8S_PACKAGE) ? c.getSimpleName() : null;
  }

  static String defaultOf(JSONSchemaProps p) {
    JsonNode d = p.getDefault();
    if (d == null || d.isNull()) {
      return null;
    }
    return d.isTextual() ? d.asText() : d.toString();
  }

  static String description(JSONSchemaProps p, boolean required) {
    List<String> parts = new ArrayList<>();
    if (required) {
      parts.add("**Required.**");
    }
    if (p.getDescription() != null) {
      String d = p.getDescription().strip().replaceAll("\\s*\\n\\s*", " ");
      parts.add(d.endsWith(".") ? d : d + ".");
    }
    List<String> limits = new ArrayList<>();
    if (p.getEnum() != null && !p.getEnum().isEmpty()) {
      limits.add("one of " + p.getEnum().stream().map(n -> "`" + (n.isTextual() ? n.asText() : n.toString()) + "`")
          .collect(Collectors.joining(", ")));
    }
    bound(p.getMinimum(), Boolean.TRUE.equals(p.getExclusiveMinimum()) ? ">" : ">=").ifPresent(limits::add);
    bound(p.getMaximum(), Boolean.TRUE.equals(p.getExclusiveMaximum()) ? "<" : "<=").ifPresent(limits::add);
    if (p.getMinLength() != null) {
      limits.add("at least " + count(p.getMinLength(), "character"));
    }
    if (p.getMaxLength() != null) {
      limits.add("at most " + count(p.getMaxLength(), "character"));
    }
    if (p.getMinItems() != null) {
      limits.add("at least " + count(p.getMinItems(), "item"));
    }
    if (p.getMaxItems() != null) {
      limits.add("at most " + count(p.getMaxItems(), "item"));
    }
    if (p.getPattern() != null) {
      limits.add("pattern `" + p.getPattern() + "`");
    }
    if (!limits.isEmpty()) {
      String l = String.join("; ", limits);
      parts.add(Character.toUpperCase(l.charAt(0)) + l.substring(1) + ".");
    }
    // Arrays of plain values: their element's limits (objects get rows of their own).
    JSONSchemaProps items = p.getItems() == null ? null : p.getItems().getSchema();
    if (items != null && !hasProperties(items)) {
      String each = description(withoutDescription(items), false);
      if (!each.isEmpty()) {
        parts.add("Each item: " + Character.toLowerCase(each.charAt(0)) + each.substring(1));
      }
    }
    return String.join(" ", parts);
  }

  /** Fabric8's model holds empty maps, not nulls, for absent properties. */
  private static boolean hasProperties(JSONSchemaProps p) {
    return p.getProperties() != null && !p.getProperties().isEmpty();
  }

  private static JSONSchemaProps withoutDescription(JSONSchemaProps p) {
    JSONSchemaProps copy = new io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder(p)
        .withDescription(null).build();
    return copy;
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static Optional<String> bound(Double v, String op) {
    if (v == null) {
      return Optional.empty();
    }
    String n = v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString(v.longValue()) : v.toString();
    return Optional.of(op + " " + n);
  }

  private static void collectRules(String path, JSONSchemaProps p, List<String[]> out) {
    if (p == null) {
      return;
    }
    if (p.getXKubernetesValidations() != null) {
      for (ValidationRule r : p.getXKubernetesValidations()) {
        out.add(new String[] {path, r.getRule(), r.getMessage() == null ? "" : r.getMessage()});
      }
    }
    if (p.getProperties() != null) {
      p.getProperties().forEach((k, v) -> collectRules(path.isEmpty() ? k : path + "." + k, v, out));
    }
    if (p.getItems() != null) {
      collectRules(path + "[]", p.getItems().getSchema(), out);
    }
    if (p.getAdditionalProperties() != null) {
      collectRules(path + ".<key>", p.getAdditionalProperties().getSchema(), out);
    }
  }

  /** Markdown table cells: pipes escaped, one line. */
  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
