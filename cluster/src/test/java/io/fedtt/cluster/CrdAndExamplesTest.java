package io.fedtt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionCondition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The chart's CRD on a real API server: accepted (a structural schema, CEL rules within the cost
 * budget), Established, and every FederatedFineTune example in the repository passes a server-side
 * dry run with strict field validation, which also runs the CRD's defaults, schema and CEL rules.
 */
class CrdAndExamplesTest {

  static ControlPlane cp;

  @BeforeAll
  static void install() {
    cp = ControlPlane.get();
    Crd.install(cp);
  }

  @Test
  void theChartsCrdIsEstablishedWithAStructuralSchema() {
    CustomResourceDefinition crd = Crd.established(cp, Duration.ofSeconds(30));
    Map<String, String> conditions = crd.getStatus().getConditions().stream()
        .collect(Collectors.toMap(CustomResourceDefinitionCondition::getType, CustomResourceDefinitionCondition::getStatus));
    assertEquals("True", conditions.get("Established"), conditions.toString());
    assertEquals("True", conditions.get("NamesAccepted"), conditions.toString());
    assertFalse(conditions.containsKey("NonStructuralSchema"), conditions.toString());
    // The API server serves it: discovery lists the kind with its short name.
    String resources = cp.kubectlOk("api-resources", "--api-group=fedtt.io", "-o", "wide");
    assertTrue(resources.contains("federatedfinetunes") && resources.contains("FederatedFineTune"), resources);
    assertTrue(resources.contains("fft"), "short name fft: " + resources);
  }

  static List<Path> examples() throws IOException {
    try (Stream<Path> files = Files.walk(Repo.ROOT.resolve("examples"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).filter(CrdAndExamplesTest::isFederatedFineTune)
          .sorted().toList();
    }
  }

  static boolean isFederatedFineTune(Path p) {
    try {
      return Files.readString(p).lines().anyMatch(l -> l.strip().equals("kind: FederatedFineTune"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyExamplePassesAServerSideDryRunWithStrictFieldValidation() throws IOException {
    List<Path> files = examples();
    assertTrue(files.size() >= 8, "FederatedFineTune examples found: " + files);
    Crd.namespace(cp, "examples");
    return files.stream().map(f -> DynamicTest.dynamicTest(Repo.ROOT.relativize(f).toString(), () -> {
      String ns = namespaceOf(f);
      if (ns != null) {
        Crd.namespace(cp, ns);
      }
      Cmd.Result r = cp.kubectl("create", "--dry-run=server", "--validate=strict", "-o", "name",
          "-n", ns == null ? "examples" : ns, "-f", f.toString());
      assertTrue(r.ok(), f + " rejected by the API server:\n" + r.stderr());
      assertTrue(r.stdout().startsWith("federatedfinetune.fedtt.io/"), r.stdout());
      assertEquals("", r.stderr().strip(), "warnings (e.g. unknown or duplicate fields) for " + f);
    }));
  }

  /** The manifest's own metadata.namespace, if it names one. */
  static String namespaceOf(Path f) throws IOException {
    boolean inMetadata = false;
    for (String line : Files.readAllLines(f)) {
      if (line.startsWith("metadata:")) {
        inMetadata = true;
        if (line.contains("namespace:")) {
          return line.replaceAll(".*namespace:\\s*([a-z0-9-]+).*", "$1");
        }
      } else if (inMetadata && line.startsWith("  namespace:")) {
        return line.substring(line.indexOf(':') + 1).strip();
      } else if (!line.startsWith(" ") && !line.startsWith("#")) {
        inMetadata = false;
      }
    }
    return null;
  }
}
