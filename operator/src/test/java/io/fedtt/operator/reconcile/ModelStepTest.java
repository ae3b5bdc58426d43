package io.fedtt.operator.reconcile;

import static io.fedtt.operator.reconcile.StepFixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.ModelStatus;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.model.HubClient;
import io.fedtt.core.model.ModelConfigFetcher;
import io.fedtt.operator.build.ModelProbePodBuilder;
import io.fedtt.operator.build.PodSettings;
import io.fedtt.operator.testing.Jobs;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The model step on its own: probe pod timeouts, the declared fallback, and status.model as the cache. */
@EnableKubernetesMockClient(crud = true)
class ModelStepTest {

  static KubernetesClient client;
  static final Duration TIMEOUT = Duration.ofMinutes(5);
  static final ModelConfig TINY = ModelConfig.bert(32, 2, 64, 2, 30522, 512, 2, 2);

  static ModelStep step() throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    ModelConfigFetcher unreachable = new ModelConfigFetcher(new HubClient(URI.create("http://127.0.0.1:" + closed),
        Optional.empty(), true, Duration.ofSeconds(1), Duration.ofSeconds(1)), Path.of("."));
    return new ModelStep(new ReconcilerSettings(PodSettings.of("worker:test", "http://op:8443"), null, null, null,
        null, new ModelSettings(unreachable, null, TIMEOUT, Duration.ofSeconds(30))));
  }

  static FederatedFineTune job(String ns, String uri) {
    FederatedFineTune job = Jobs.job(ns, "j", 1, "a");
    job.getSpec().getModel().setUri(uri);
    return job;
  }

  static Pod probePod(FederatedFineTune job) {
    return ModelProbePodBuilder.build(job, "models", "tiny", "worker:test", TIMEOUT.toSeconds(),
        PodSettings.of("worker:test", "http://op:8443"));
  }

  static String running(ReconcileContext rc) {
    var c = Conditions.find(rc.status.getConditions(), ConditionType.Running).orElseThrow();
    return c.getReason() + ": " + c.getMessage();
  }

  @Test
  void thePodIsCreatedOnceAndTheJobWaitsAsProbingModel() throws IOException {
    FederatedFineTune job = job("probe-new", "pvc:models/tiny");
    var rc = StepFixtures.context(job, client, List.of(), null);
    StepResult r = step().run(rc);
    assertEquals(StepResult.Flow.STOP, r.flow());
    assertEquals(NOW.plus(TIMEOUT), r.requeueAt());
    assertTrue(running(rc).startsWith("ProbingModel: the model's shape is not known yet: reading"
        + " pvc:models/tiny/config.json with probe pod j-model-probe (image worker:test)"), running(rc));
    Pod created = client.pods().inNamespace("probe-new").withName("j-model-probe").get();
    assertEquals("worker:test", created.getSpec().getContainers().get(0).getImage(), "the job's worker image");
    assertEquals(TIMEOUT.toSeconds(), created.getSpec().getActiveDeadlineSeconds());
    assertEquals(List.of("ProbingModel"), rc.events.stream().map(ReconcileContext.PendingEvent::reason).toList());
    assertNull(rc.model);
  }

  @Test
  void aProbeThatDoesNotFinishInTimeIsDeletedAndTriedAgainLater() throws IOException {
    FederatedFineTune job = job("probe-late", "pvc:models/tiny");
    Pod stuck = probePod(job);
    stuck.getMetadata().setCreationTimestamp(Conditions.timestamp(NOW.minus(TIMEOUT).minusSeconds(1)));
    stuck.setStatus(new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder()
        .withType("PodScheduled").withStatus("False").withReason("Unschedulable")
        .withMessage("persistentvolumeclaim \"models\" not found").build()).build());
    client.pods().inNamespace("probe-late").resource(stuck).create();
    ModelStep step = step();
    var rc = StepFixtures.context(job, client, List.of(stuck), null);
    StepResult r = step.run(rc);
    assertEquals(StepResult.Flow.STOP, r.flow());
    assertEquals(NOW.plusSeconds(30), r.requeueAt(), "tried again after the retry delay");
    assertTrue(running(rc).startsWith("ModelUnavailable: the probe pod j-model-probe did not finish within 300 s;"
        + " Unschedulable: persistentvolumeclaim \"models\" not found"), running(rc));
    assertNull(client.pods().inNamespace("probe-late").withName("j-model-probe").get(), "the stuck pod is deleted");
    // before the retry time no new pod
    var early = StepFixtures.context(job, client, List.of(), null, NOW.plusSeconds(10));
    assertEquals(NOW.plusSeconds(30), step.run(early).requeueAt());
    assertNull(client.pods().inNamespace("probe-late").withName("j-model-probe").get());
    var later = StepFixtures.context(job, client, List.of(), null, NOW.plusSeconds(31));
    step.run(later);
    assertTrue(client.pods().inNamespace("probe-late").withName("j-model-probe").get() != null, "probed again");
  }

  @Test
  void withADeclaredArchitectureAStuckProbeFallsBackToIt() throws IOException {
    FederatedFineTune job = job("probe-declared", "pvc:models/tiny");
    job.getSpec().getModel().setArchitecture(FederationJobMapper.architecture(TINY));
    Pod stuck = probePod(job);
    stuck.getMetadata().setCreationTimestamp(Conditions.timestamp(NOW.minus(TIMEOUT)));
    client.pods().inNamespace("probe-declared").resource(stuck).create();
    var rc = StepFixtures.context(job, client, List.of(stuck), null);
    assertEquals(StepResult.Flow.CONTINUE, step().run(rc).flow());
    assertEquals(TINY, rc.model);
    ModelStatus st = rc.status.getModel();
    assertEquals(ModelStatus.Source.DECLARED, st.getSource());
    assertTrue(st.getMessage().startsWith("config.json not read: the probe pod j-model-probe did not finish within"
        + " 300 s"), st.getMessage());
    assertEquals(List.of("ModelConfigUnread"), rc.events.stream().map(ReconcileContext.PendingEvent::reason).toList());
  }

  @Test
  void theShapeInStatusIsUsedWithoutReadingAgainAndStillCheckedAgainstTheSpec() throws IOException {
    FederatedFineTune job = job("cached", "hf:org/tiny-bert");
    FederatedFineTuneStatus before = new FederatedFineTuneStatus();
    ModelStatus kept = new ModelStatus();
    kept.setUri("hf:org/tiny-bert");
    kept.setSource(ModelStatus.Source.CONFIG_JSON);
    kept.setObservedGeneration(1L);
    kept.setArchitecture(FederationJobMapper.architecture(TINY));
    before.setModel(kept);
    var rc = StepFixtures.context(job, client, List.of(), before);
    assertEquals(StepResult.Flow.CONTINUE, step().run(rc).flow(), "the unreachable hub is never asked");
    assertEquals(TINY, rc.model);
    assertEquals(kept, rc.status.getModel());
    assertTrue(rc.events.isEmpty(), rc.events.toString());

    job.getSpec().getModel().setArchitecture(FederationJobMapper.architecture(ModelConfig.bert(64, 2, 64, 2, 30522,
        512, 2, 0)));
    var mismatch = StepFixtures.context(job, client, List.of(), before);
    assertEquals(StepResult.Flow.STOP, step().run(mismatch).flow());
    assertEquals(Reason.InvalidSpec.name(), StepFixtures.reason(mismatch, ConditionType.Failed));

    job.getSpec().getModel().setArchitecture(null);
    job.getSpec().getModel().setUri("hf:org/other");
    var other = StepFixtures.context(job, client, List.of(), before);
    assertEquals(StepResult.Flow.STOP, step().run(other).flow(), "another model is read afresh: hub unreachable");
    assertTrue(running(other).startsWith("ModelUnavailable: cannot read the model's config.json for now"), running(other));
  }
}
