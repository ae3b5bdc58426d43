package io.fedtt.platform.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fedtt.platform.Repo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/crd-reference.md is generated from the committed CRD and must be current. Regenerate with
 * {@code mvn -pl platform -am test -Dtest=CrdReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dfedtt.updateDocs=true}.
 */
class CrdReferenceTest {

  static final Path PAGE = Repo.ROOT.resolve("docs/crd-reference.md");
  static final String SOURCE = "crds/federatedfinetunes.fedtt.io-v1.yml";
  private static CustomResourceDefinition crd;
  private static String page;

  @BeforeAll
  static void render() throws IOException {
    crd = CrdReference.load(Repo.CRD);
    page = CrdReference.render(crd, SOURCE);
  }

  @Test
  void committedReferenceIsCurrent() throws IOException {
    String generated = page;
    if (Boolean.getBoolean("fedtt.updateDocs")) {
      Files.createDirectories(PAGE.getParent());
      Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
      return;
    }
    String how = "regenerate it with: mvn -pl platform -am test -Dtest=CrdReferenceTest"
        + " -Dsurefire.failIfNoSpecifiedTests=false -Dfedtt.updateDocs=true, then commit docs/crd-reference.md";
    if (!Files.exists(PAGE)) {
      fail("docs/crd-reference.md is missing; " + how);
    }
    List<String> want = generated.lines().toList();
    List<String> have = Files.readAllLines(PAGE, StandardCharsets.UTF_8);
    for (int i = 0; i < Math.max(want.size(), have.size()); i++) {
      String w = i < want.size() ? want.get(i) : "<end of file>";
      String h = i < have.size() ? have.get(i) : "<end of file>";
      if (!w.equals(h)) {
        fail("docs/crd-reference.md is out of date with " + SOURCE + " (first difference at line " + (i + 1)
            + ":\n  committed: " + h + "\n  generated: " + w + ")\n" + how);
      }
    }
  }

  @Test
  void everyDocumentedSchemaFieldHasARow() {
    JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    List<String> documented = new ArrayList<>();
    documentedPaths("", root, documented);
    assertTrue(documented.size() > 100, "documented fields found: " + documented.size());
    List<String> missing = documented.stream().filter(p -> !page.contains("| `" + p + "` |")).toList();
    assertEquals(List.of(), missing, "fields with a description in the CRD but no row in the reference");
  }

  @Test
  void rowsCarryTypeDefaultConstraintsAndKubernetesTypeNames() {
    assertTrue(page.contains("| `spec.adapter.ttRank` | integer | `3` | Inner rank of every TT core (type tt). Default 3, "
            + "not FEDTT.md's 5: on the quality suite rank 3 matched rank 5 within 0.2 points on every task with 45 % "
            + "fewer values per update (BENCHMARKS.md, \"TT rank\"). >= 1; <= 64. |"),
        "ttRank row:\n" + page.lines().filter(l -> l.contains("ttRank")).toList());
    assertTrue(page.contains("| `spec.workerTemplate` | PodTemplateSpec |"), "workerTemplate named by its Kubernetes type");
    assertTrue(page.contains("| `spec.silos[].tolerations` | []Toleration |"), "tolerations named by element type");
    assertTrue(page.lines().noneMatch(l -> l.startsWith("| `spec.workerTemplate.")),
        "a Kubernetes type is not expanded field by field");
    assertTrue(page.contains("| `spec.model.uri` | string |") && page.contains("**Required.**"), "required fields marked");
    assertTrue(page.contains("## Validation rules"), "CEL rules listed");
  }

  /** Paths of every property that has a description, through model types only (as the page does). */
  private static void documentedPaths(String path, JSONSchemaProps p, List<String> out) {
    if (p.getProperties() == null) {
      return;
    }
    p.getProperties().forEach((k, v) -> {
      String child = path.isEmpty() ? k : path + "." + k;
      if (v.getDescription() != null && !path.isEmpty()) {
        out.add(child);
      }
      JSONSchemaProps e = v;
      String ep = child;
      while ("array".equals(e.getType()) && e.getItems() != null) {
        e = e.getItems().getSchema();
        ep += "[]";
      }
      documentedPaths(ep, e, out);
    });
  }
}
