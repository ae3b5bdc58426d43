package io.fedtt.api.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What kubectl and the API server will see in the generated CRD. */
class CrdShapeTest {
  static CustomResourceDefinition crd;
  static CustomResourceDefinitionVersion version;
  static JSONSchemaProps spec;

  @BeforeAll
  static void read() throws IOException {
    crd = new KubernetesSerialization().unmarshal(Files.readString(CrdUpToDateTest.GENERATED), CustomResourceDefinition.class);
    version = crd.getSpec().getVersions().get(0);
    spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
  }

  @Test
  void namesScopeAndSubresources() {
    assertEquals("federatedfinetunes.fedtt.io", crd.getMetadata().getName());
    assertEquals("fedtt.io", crd.getSpec().getGroup());
    assertEquals("Namespaced", crd.getSpec().getScope());
    assertEquals("FederatedFineTune", crd.getSpec().getNames().getKind());
    assertEquals("federatedfinetunes", crd.getSpec().getNames().getPlural());
    assertEquals(List.of("fft"), crd.getSpec().getNames().getShortNames());
    assertEquals("v1alpha1", version.getName());
    assertTrue(version.getServed() && version.getStorage());
    assertNotNull(version.getSubresources().getStatus(), "status subresource");
  }

  @Test
  void printerColumnsInDeclaredOrder() {
    List<String> columns = version.getAdditionalPrinterColumns().stream()
        .map(c -> c.getName() + "=" + c.getJsonPath()).toList();
    assertEquals(List.of("Phase=.status.phase", "Round=.status.round.display", "Accuracy=.status.metrics.accuracy",
        "Comm=.status.communication.display", "Epsilon=.status.privacy.epsilon", "Age=.metadata.creationTimestamp"), columns);
    // Epsilon only with kubectl get -o wide: most jobs have no differential privacy
    assertEquals(1, version.getAdditionalPrinterColumns().get(4).getPriority());
  }

  /** Secure aggregation absent or disabled: the rules about what it excludes hold trivially. */
  private static final String SECURE_OFF = "!has(self.privacy) || !has(self.privacy.secureAggregation)"
      + " || (has(self.privacy.secureAggregation.enabled) && !self.privacy.secureAggregation.enabled)";

  @Test
  void celRulesSitWhereTheyApply() {
    assertEquals(List.of("has(self.silos) != has(self.devices)",
        "!has(self.silos) || !has(self.rounds.minSilos) || self.rounds.minSilos <= size(self.silos)",
        "!has(self.devices) || !has(self.devices.partition) || !has(self.devices.partition.by)"
            + " || self.devices.partition.by != 'dirichlet'"
            + " || !has(self.model) || !has(self.model.task) || self.model.task == 'sequence-classification'",
        "!has(self.communication) || !has(self.communication.encoding) || !has(self.adapter)"
            + " || !has(self.adapter.wireDtype) || self.adapter.wireDtype == 'F32'"
            + " || (self.adapter.wireDtype == 'F16' && self.communication.encoding == 'float16')"
            + " || (self.adapter.wireDtype == 'BF16' && self.communication.encoding == 'bfloat16')",
        "!has(self.privacy) || !has(self.privacy.differentialPrivacy)"
            + " || (has(self.privacy.differentialPrivacy.mode) && self.privacy.differentialPrivacy.mode == 'local')"
            + " || !has(self.method) || !has(self.method.aggregation)"
            + " || ((!has(self.method.aggregation.rule) || self.method.aggregation.rule == 'fedavg') && !has(self.method.aggregation.clipNorm))",
        SECURE_OFF + " || !has(self.method) || !has(self.method.aggregation)"
            + " || ((!has(self.method.aggregation.rule) || self.method.aggregation.rule == 'fedavg') && !has(self.method.aggregation.clipNorm))",
        SECURE_OFF + " || !has(self.privacy.differentialPrivacy)"
            + " || (has(self.privacy.differentialPrivacy.mode) && self.privacy.differentialPrivacy.mode == 'local')",
        SECURE_OFF + " || !has(self.communication) || !has(self.communication.budgetBytes)"),
        rules(spec));
    assertEquals(".method.aggregation", spec.getXKubernetesValidations().get(5).getFieldPath());
    assertEquals(".privacy.differentialPrivacy.mode", spec.getXKubernetesValidations().get(6).getFieldPath());
    assertEquals(".communication.budgetBytes", spec.getXKubernetesValidations().get(7).getFieldPath());
    assertEquals(".devices.partition.by", spec.getXKubernetesValidations().get(2).getFieldPath());
    assertEquals(".communication.encoding", spec.getXKubernetesValidations().get(3).getFieldPath());
    assertEquals(".method.aggregation", spec.getXKubernetesValidations().get(4).getFieldPath());
    // The task's rules: on the model, with static messages (no messageExpression: CEL cost budget).
    List<ValidationRule> model = spec.getProperties().get("model").getXKubernetesValidations();
    assertEquals(List.of(".labels", ".labels", ".task"),
        model.stream().filter(r -> !r.getRule().contains("oldSelf")).map(ValidationRule::getFieldPath).toList());
    assertTrue(model.stream().allMatch(r -> r.getMessageExpression() == null), model.toString());
    for (String immutable : List.of("model", "adapter", "method", "communication", "privacy")) {
      assertTrue(rules(spec.getProperties().get(immutable)).contains("self == oldSelf"), immutable);
    }
    assertEquals(List.of("self.all(s, self.exists_one(t, t.name == s.name))"), rules(spec.getProperties().get("silos")));
    assertEquals(List.of("has(self.localSteps) != has(self.localEpochs)"), rules(spec.getProperties().get("rounds")));
    assertEquals(".rounds.minSilos", spec.getXKubernetesValidations().get(1).getFieldPath());
  }

  @Test
  void defaultsAndRequiredFields() {
    Map<String, JSONSchemaProps> adapter = spec.getProperties().get("adapter").getProperties();
    assertEquals("tt", adapter.get("type").getDefault().asText());
    assertEquals(3, adapter.get("ttRank").getDefault().asInt());
    assertEquals(List.of("query", "value"), List.of(adapter.get("targets").getDefault().get(0).asText(),
        adapter.get("targets").getDefault().get(1).asText()));
    assertEquals(List.of("model", "rounds"), spec.getRequired());
    assertEquals(List.of("uri"), spec.getProperties().get("model").getRequired(), "labels: by rule, per task");
    Map<String, JSONSchemaProps> data = spec.getProperties().get("data").getProperties();
    assertEquals("prompt", data.get("promptField").getDefault().asText());
    assertEquals("response", data.get("responseField").getDefault().asText());
    assertEquals(List.of("causal-lm", "sequence-classification"), spec.getProperties().get("model").getProperties()
        .get("task").getEnum().stream().map(n -> n.asText()).toList());
    assertEquals(3, spec.getProperties().get("runPolicy").getProperties().get("backoffLimit").getDefault().asInt());
  }

  /** Rules the API server enforces on CRD schemas ("structural"), checked here because no API server runs in CI. */
  @Test
  void schemaIsStructural() {
    List<String> violations = new ArrayList<>();
    structural(version.getSchema().getOpenAPIV3Schema(), "", violations);
    assertEquals(List.of(), violations);
  }

  /** kubectl's client-side apply stores the whole object in an annotation limited to 256 KiB. */
  @Test
  void crdStaysWellBelowTheAnnotationLimit() {
    int jsonBytes = new KubernetesSerialization().asJson(crd).length();
    assertTrue(jsonBytes < 160_000, "CRD JSON is " + jsonBytes + " bytes");
  }

  private static void structural(JSONSchemaProps schema, String path, List<String> out) {
    boolean intOrString = Boolean.TRUE.equals(schema.getXKubernetesIntOrString());
    boolean preserve = Boolean.TRUE.equals(schema.getXKubernetesPreserveUnknownFields());
    if (schema.getType() == null && !intOrString && !preserve) {
      out.add(path + ": no type");
    }
    if (Boolean.TRUE.equals(schema.getUniqueItems())) {
      out.add(path + ": uniqueItems is forbidden");
    }
    if (schema.get$ref() != null) {
      out.add(path + ": $ref is forbidden");
    }
    if (schema.getProperties() != null && !schema.getProperties().isEmpty()) {
      if (!"object".equals(schema.getType())) {
        out.add(path + ": properties on a non-object");
      }
      if (schema.getAdditionalProperties() != null && schema.getAdditionalProperties().getSchema() != null) {
        out.add(path + ": both properties and additionalProperties");
      }
      schema.getProperties().forEach((name, child) -> structural(child, path + "." + name, out));
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      structural(schema.getItems().getSchema(), path + "[]", out);
    }
    if (schema.getAdditionalProperties() != null && schema.getAdditionalProperties().getSchema() != null) {
      structural(schema.getAdditionalProperties().getSchema(), path + "{}", out);
    }
  }

  private static List<String> rules(JSONSchemaProps schema) {
    List<ValidationRule> rules = schema.getXKubernetesValidations();
    return rules == null ? List.of() : rules.stream().map(ValidationRule::getRule).toList();
  }
}
