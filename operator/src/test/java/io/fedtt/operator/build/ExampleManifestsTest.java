package io.fedtt.operator.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.operator.reconcile.ApiSpecValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every example manifest goes through what the operator does with it: the API module's validator,
 * the mapping to the coordinator's job spec, the token Secret and one worker pod per slot. The
 * committed CRD, the validator and the operator thus agree on every manifest we ship.
 */
class ExampleManifestsTest {

  static final Path EXAMPLES = Path.of("..", "examples");

  static List<Path> manifests() throws IOException {
    try (Stream<Path> walk = Files.walk(EXAMPLES)) {
      return walk.filter(p -> p.toString().endsWith(".yaml")).filter(ExampleManifestsTest::isJob).sorted().toList();
    }
  }

  private static boolean isJob(Path p) {
    try {
      return Files.readString(p).contains("kind: FederatedFineTune");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyExampleIsAcceptedAndBuilds() throws IOException {
    List<Path> files = manifests();
    assertFalse(files.isEmpty(), "no example manifests under " + EXAMPLES.toAbsolutePath());
    PodSettings settings = PodSettings.of("worker:test", "http://fedtt-operator.fedtt:8443");
    return files.stream().map(file -> DynamicTest.dynamicTest(EXAMPLES.relativize(file).toString(), () -> {
      FederatedFineTune job = ManifestValidator.standard().load(file);
      if (job.getMetadata().getNamespace() == null) {
        job.getMetadata().setNamespace("default");
      }
      job.getMetadata().setUid(UUID.randomUUID().toString());
      job.getMetadata().setGeneration(1L);
      assertEquals(List.of(), ApiSpecValidator.standard().validate(job));
      JobId id = new JobId(job.getMetadata().getNamespace(), job.getMetadata().getName());
      var model = FederationJobMapper.modelConfig(job.getSpec())
          .orElseThrow(() -> new AssertionError(file + ": the operator cannot tell the model's architecture"));
      FederationJobSpec spec = FederationJobMapper.jobSpec(id, job.getSpec(), model);
      assertTrue(spec.participants().size() >= 1);
      List<WorkerSlot> slots = WorkerSlots.of(job);
      assertFalse(slots.isEmpty());
      var secret = TokenSecretBuilder.build(job, slots, Map.of(), TokenRegistry::newToken);
      assertEquals(slots.size(), secret.getData().size());
      for (WorkerSlot slot : slots) {
        Pod pod = WorkerPodBuilder.build(job, slot, 0, settings);
        assertTrue(pod.getMetadata().getName().length() <= 63);
        assertEquals("Never", pod.getSpec().getRestartPolicy());
      }
    }));
  }
}
