package io.fedtt.api.crd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD (crds/federatedfinetunes.fedtt.io-v1.yml, what users and the chart apply) must
 * equal the one the build generated from the Java model. Refresh it with
 * {@code mvn -pl crds test -Dtest=CrdUpToDateTest -Dfedtt.updateCrd=true}.
 */
class CrdUpToDateTest {
  static final Path GENERATED = Path.of("target/classes/META-INF/fabric8", FederatedFineTune.CRD_FILE);
  static final Path COMMITTED = Path.of(FederatedFineTune.CRD_FILE);

  @Test
  void committedCrdEqualsGeneratedCrd() throws IOException {
    assertTrue(Files.isRegularFile(GENERATED), GENERATED.toAbsolutePath()
        + " is missing: GenerateCrd runs at process-classes (mvn -pl crds test)");
    if (Boolean.getBoolean("fedtt.updateCrd")) {
      Files.copy(GENERATED, COMMITTED, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    String refresh = "refresh it with: mvn -pl crds test -Dtest=CrdUpToDateTest -Dfedtt.updateCrd=true"
        + " (or: cp crds/" + GENERATED + " crds/" + COMMITTED + "), then commit it";
    if (!Files.exists(COMMITTED)) {
      fail("crds/" + COMMITTED + " is missing; " + refresh);
    }
    List<String> generated = Files.readAllLines(GENERATED);
    List<String> committed = Files.readAllLines(COMMITTED);
    for (int i = 0; i < Math.max(generated.size(), committed.size()); i++) {
      String g = i < generated.size() ? generated.get(i) : "<end of file>";
      String c = i < committed.size() ? committed.get(i) : "<end of file>";
      if (!g.equals(c)) {
        fail("crds/" + COMMITTED + " is out of date with the Java model (first difference at line " + (i + 1)
            + ":\n  committed: " + c + "\n  generated: " + g + ")\n" + refresh);
      }
    }
  }
}
