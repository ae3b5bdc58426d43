package io.fedtt.operator.reconcile;

import static io.fedtt.operator.reconcile.StepFixtures.NOW;
import static io.fedtt.operator.reconcile.StepFixtures.isTrue;
import static io.fedtt.operator.reconcile.StepFixtures.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.operator.build.Names;
import io.fedtt.operator.build.PodSettings;
import io.fedtt.operator.testing.Jobs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class PodsStepTest {

  static KubernetesClient client;

  private static final ReconcilerSettings SETTINGS = new ReconcilerSettings(PodSettings.of("worker:test", "http://op:8443"),
      new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(6)), job -> List.of(), Clock.systemUTC(), null);

  /** A context after observe and progress, with the informer seeing {@code pods}. */
  private static ReconcileContext observed(FederatedFineTune job, FederatedFineTuneStatus old, Pod... pods) {
    return observedAt(NOW, job, old, pods);
  }

  private static ReconcileContext observedAt(Instant now, FederatedFineTune job, FederatedFineTuneStatus old,
      Pod... pods) {
    var rc = StepFixtures.context(job, client, List.of(pods), old, now);
    new ObserveStep().run(rc);
    rc.jobStatus = StepFixtures.running(1, 3);
    return rc;
  }

  private Pod created(Pod p) {
    return client.pods().inNamespace(p.getMetadata().getNamespace()).resource(p).create();
  }

  @Test
  void missingPodsAreCreatedAndTheJobWaitsForThem() {
    var job = Jobs.job("pods", "new", 3, "a", "b");
    var rc = observed(job, null);
    StepResult r = new PodsStep(SETTINGS).run(rc);
    assertEquals(StepResult.Flow.CONTINUE, r.flow());
    assertNull(r.requeueAt());
    assertNotNull(client.pods().inNamespace("pods").withName(Names.pod(job, StepFixtures.slot(job, "a"), 0)).get());
    assertNotNull(client.pods().inNamespace("pods").withName(Names.pod(job, StepFixtures.slot(job, "b"), 0)).get());
    assertFalse(isTrue(rc, ConditionType.Running));
    assertEquals("WaitingForSilos", reason(rc, ConditionType.Running));
    assertEquals(List.of("a", "b"), rc.status.getSilos().stream().map(s -> s.getName()).toList());
  }

  @Test
  void aRunningWorkerMeansTheRoundIsInProgress() {
    var job = Jobs.job("pods", "running", 3, "a");
    var rc = observed(job, null, created(StepFixtures.pod(job, "a", 0, "Running")));
    new PodsStep(SETTINGS).run(rc);
    assertTrue(isTrue(rc, ConditionType.Running));
    assertEquals("round 1 of 3", io.fedtt.api.v1alpha1.status.Conditions.find(rc.status.getConditions(),
        ConditionType.Running).orElseThrow().getMessage());
  }

  @Test
  void aFailedWorkerIsReportedAndReplacedAfterTheBackoffThenDeleted() {
    var job = Jobs.job("pods", "failed", 3, "a");
    Pod failed = created(StepFixtures.pod(job, "a", 0, "Failed"));
    String replacement = Names.pod(job, StepFixtures.slot(job, "a"), 1);
    var step = new PodsStep(SETTINGS);
    var rc = observed(job, null, failed);
    StepResult r = step.run(rc);
    assertEquals(StepResult.Flow.CONTINUE, r.flow());
    assertEquals(NOW.plusSeconds(10), r.requeueAt());
    // Kept while backing off: the failed pod is what the next attempt number is counted from.
    assertNotNull(client.pods().inNamespace("pods").withName(failed.getMetadata().getName()).get());
    assertEquals(1, rc.status.getSilos().get(0).getRestarts());
    assertEquals("WorkerFailed", rc.events.get(0).reason());
    assertTrue(rc.events.get(0).message().endsWith("failure 1 of backoffLimit 3"), rc.events.get(0).message());

    // Seen again with a status that lost the count (an informer cache behind the status write):
    // counted once from the pod itself, no second event, still waiting for the backoff.
    var again = observed(job, null, failed);
    step.run(again);
    assertEquals(1, again.status.getSilos().get(0).getRestarts());
    assertTrue(again.events.stream().noneMatch(e -> e.reason().equals("WorkerFailed")));
    assertNull(client.pods().inNamespace("pods").withName(replacement).get());

    // After the backoff: the next attempt is created, then the failed pod deleted.
    var later = observedAt(NOW.plusSeconds(10), job, rc.status, failed);
    step.run(later);
    assertNotNull(client.pods().inNamespace("pods").withName(replacement).get());
    assertNull(client.pods().inNamespace("pods").withName(failed.getMetadata().getName()).get());
    assertEquals(1, later.status.getSilos().get(0).getRestarts());
  }

  @Test
  void failuresOverTheBackoffLimitFailTheJob() {
    var job = Jobs.job("pods", "limit", 3, "a");
    job.getSpec().getRunPolicy().setBackoffLimit(0);
    var rc = observed(job, null, created(StepFixtures.pod(job, "a", 0, "Failed")));
    StepResult r = new PodsStep(SETTINGS).run(rc);
    assertEquals(StepResult.Flow.END_JOB, r.flow());
    assertEquals(Reason.BackoffLimitExceeded, r.failure().reason());
    assertEquals("1 worker pod failure(s) exceed runPolicy.backoffLimit=0; last: [a Error]", r.failure().message());
    assertEquals(1, rc.status.getSilos().get(0).getRestarts());
  }
}
