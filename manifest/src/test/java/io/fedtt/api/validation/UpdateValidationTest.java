package io.fedtt.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fedtt.api.TestFiles;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Transition rules (self == oldSelf) evaluated by validateUpdate, and only there. */
class UpdateValidationTest {
  final ManifestValidator validator = ManifestValidator.standard();

  static String read(String relative) throws IOException {
    return Files.readString(TestFiles.manifest(relative));
  }

  List<Problem> update(String to) throws IOException {
    return validator.validateUpdate(read("valid/quickstart.yaml"), read("update/" + to + ".yaml"));
  }

  @Test
  void modelIsImmutable() throws IOException {
    assertEquals(List.of(new Problem("spec.model", "model cannot be changed after creation; create a new job")),
        update("model-changed"));
  }

  @Test
  void adapterIsImmutable() throws IOException {
    assertEquals(List.of(new Problem("spec.adapter", "adapter cannot be changed after creation; create a new job")),
        update("adapter-changed"));
  }

  @Test
  void methodIsImmutable() throws IOException {
    assertEquals(List.of(new Problem("spec.method", "method cannot be changed after creation; create a new job")),
        update("method-changed"));
  }

  @Test
  void otherFieldsMayChange() throws IOException {
    assertEquals(List.of(), update("mutable-fields-changed"));
  }

  @Test
  void writingOutTheDefaultsIsNoChange() throws IOException {
    assertEquals(List.of(), update("defaults-written-out"));
  }

  @Test
  void transitionRulesAreNotCreateRules() throws IOException {
    assertEquals(List.of(), validator.validate(read("update/model-changed.yaml")));
  }

  @Test
  void theNewVersionIsValidatedInFull() throws IOException {
    List<Problem> problems = validator.validateUpdate(read("valid/quickstart.yaml"), read("invalid/below-minimum-ttrank.yaml"));
    assertEquals(List.of(new Problem("spec.adapter", "adapter cannot be changed after creation; create a new job"),
        new Problem("spec.adapter.ttRank", "must be >= 1 (found 0)")), problems);
  }

  @Test
  void typedResourcesToo() throws IOException {
    FederatedFineTune old = validator.load(read("valid/quickstart.yaml"));
    FederatedFineTune changed = validator.load(read("valid/quickstart.yaml"));
    changed.getSpec().getAdapter().setTtRank(7);
    assertEquals(List.of(new Problem("spec.adapter", "adapter cannot be changed after creation; create a new job")),
        validator.validateUpdate(old, changed));
    changed.getSpec().getAdapter().setTtRank(5);
    changed.getSpec().getRounds().setTotal(50);
    assertEquals(List.of(), validator.validateUpdate(old, changed));
  }

  @Test
  void unreadablePreviousVersionIsReported() throws IOException {
    assertEquals(List.of(new Problem("", "previous manifest: the manifest is empty")),
        validator.validateUpdate("", read("valid/quickstart.yaml")));
  }
}
