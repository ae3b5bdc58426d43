package io.fedtt.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.TestFiles;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Manifests a careless or hostile user writes: each one ends in problems naming the field, never an exception. */
class HostileManifestTest {
  final ManifestValidator validator = ManifestValidator.standard();

  static String quickstart() throws Exception {
    return Files.readString(TestFiles.manifest("valid/quickstart.yaml"));
  }

  @Test
  void aManifestWithoutSpecIsInvalid() {
    String yaml = "apiVersion: fedtt.io/v1alpha1\nkind: FederatedFineTune\nmetadata: {name: x}\n";
    assertEquals(List.of(new Problem("spec", "required field is missing")), validator.validate(yaml));
    assertThrows(InvalidManifestException.class, () -> validator.load(yaml));
  }

  @Test
  void aNullSpecIsInvalid() {
    String yaml = "apiVersion: fedtt.io/v1alpha1\nkind: FederatedFineTune\nmetadata: {name: x}\nspec: null\n";
    assertEquals(List.of(new Problem("spec", "required field is missing")), validator.validate(yaml));
  }

  @Test
  void notANumberIsAnInvalidValueNamingTheField() throws Exception {
    for (String value : List.of(".nan", ".NaN", ".inf", "-.inf")) {
      List<Problem> problems = validator.validate(quickstart().replace("learningRate: 5.0e-4", "learningRate: " + value));
      assertEquals(1, problems.size(), problems.toString());
      Problem p = problems.get(0);
      assertEquals("spec.rounds.learningRate", p.path(), p.toString());
      assertTrue(p.message().contains("must be a finite number"), p.toString());
      assertFalse(p.message().contains("syntax"), p.toString());
    }
  }

  @Test
  void aNotANumberInAListNamesTheItem() throws Exception {
    List<Problem> problems = validator.validate(quickstart().replace("{type: tt, ttRank: 5, bottleneck: 64}",
        "{type: tt, ttRank: 5, bottleneck: 64, modes: [2, .nan]}"));
    assertEquals("spec.adapter.modes[1]", problems.get(0).path(), problems.toString());
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 20, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void aHugeManifestIsRefusedNamingTheLimit() throws Exception {
    String big = quickstart().replace("metadata: {name: quickstart}",
        "metadata:\n  name: quickstart\n  annotations: {note: \"" + "x".repeat(2 * 1024 * 1024) + "\"}");
    List<Problem> problems = validator.validate(big);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).message().contains(String.valueOf(ManifestValidator.MAX_MANIFEST_BYTES)), problems.toString());
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 20, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void aHugeManifestFileIsNotEvenRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = dir.resolve("big.yaml");
    Files.writeString(file, quickstart() + "# " + "y".repeat(50 * 1024 * 1024) + "\n");
    List<Problem> problems = validator.validate(file);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).message().contains(file.toString())
        && problems.get(0).message().contains(String.valueOf(ManifestValidator.MAX_MANIFEST_BYTES)), problems.toString());
  }
}
