package io.fedtt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fedtt.operator.testing.OperatorHarness;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** The chart's CRD, installed once per control plane the way {@code helm install} does (from {@code crds/}). */
public final class Crd {

  public static final String NAME = "federatedfinetunes.fedtt.io";
  private static boolean installed;

  private Crd() {}

  /** The CustomResourceDefinitions {@code helm template --include-crds} renders. */
  public static List<CustomResourceDefinition> rendered() {
    String yaml = Cmd.helmTemplate("fedtt", "fedtt-system", "--include-crds");
    KubernetesClient client = ControlPlane.get().admin();
    List<HasMetadata> items = client.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    return items.stream().filter(CustomResourceDefinition.class::isInstance)
        .map(CustomResourceDefinition.class::cast).toList();
  }

  /** Installs the chart's CRD (once) and waits until the API server has Established it. */
  public static synchronized void install(ControlPlane cp) {
    if (installed) {
      return;
    }
    List<CustomResourceDefinition> crds = rendered();
    assertEquals(List.of(NAME), crds.stream().map(c -> c.getMetadata().getName()).toList(), "CRDs of the chart");
    // kubectl create, as helm does with crds/: the API server checks the structural schema and the CEL cost budget.
    StringBuilder docs = new StringBuilder();
    crds.forEach(c -> docs.append(Serialization.asYaml(c)).append("\n"));
    cp.kubectlIn(docs.toString(), "create", "-f", "-", "--validate=strict");
    established(cp, Duration.ofSeconds(60));
    installed = true;
  }

  /** Waits until the CRD is Established and its names accepted, and returns it. */
  public static CustomResourceDefinition established(ControlPlane cp, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    CustomResourceDefinition crd = null;
    while (System.nanoTime() < end) {
      crd = cp.admin().apiextensions().v1().customResourceDefinitions().withName(NAME).get();
      if (crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
          && crd.getStatus().getConditions().stream().anyMatch(c -> "Established".equals(c.getType())
          && "True".equals(c.getStatus()))) {
        return crd;
      }
      OperatorHarness.sleep(100);
    }
    throw new AssertionError("CRD " + NAME + " not Established in " + timeout + ": "
        + (crd == null ? "absent" : Serialization.asYaml(crd.getStatus())));
  }

  /** A namespace, created if absent. */
  public static void namespace(ControlPlane cp, String name) {
    KubernetesClient c = cp.admin();
    if (c.namespaces().withName(name).get() == null) {
      c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }
  }

  /**
   * A namespace for pods: created if absent, and with its default ServiceAccount in place (made by the
   * controller manager; the ServiceAccount admission plugin refuses pods until it exists).
   */
  public static void podNamespace(ControlPlane cp, String name) {
    namespace(cp, name);
    KubernetesClient c = cp.admin();
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (c.serviceAccounts().inNamespace(name).withName("default").get() == null) {
      assertTrue(System.nanoTime() < end, "the controller manager made no default ServiceAccount in " + name);
      OperatorHarness.sleep(100);
    }
  }
}
