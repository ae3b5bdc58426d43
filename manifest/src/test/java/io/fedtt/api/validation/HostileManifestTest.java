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
}
