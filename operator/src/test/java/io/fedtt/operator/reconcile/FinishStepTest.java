package io.fedtt.operator.reconcile;

import static io.fedtt.operator.reconcile.StepFixtures.NOW;
import static io.fedtt.operator.reconcile.StepFixtures.isTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.CleanPodPolicy;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.core.federation.JobOutcome;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.operator.federation.FederationHost;
import io.fedtt.operator.testing.Jobs;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class FinishStepTest {

  static KubernetesClient client;
  @TempDir
  Path store;
  FederationHost host;

  @BeforeEach
  void host() {
    host = new FederationHost(null, store, CoordinatorOptions.defaults());
  }

  @AfterEach
  void close() {
    host.close();
  }

  private Pod created(Pod p) {
    return client.pods().inNamespace(p.getMetadata().getNamespace()).resource(p).create();
  }

  private static ReconcileContext observed(FederatedFineTune job, FederatedFineTuneStatus old, Pod... pods) {
    var rc = StepFixtures.context(job, client, List.of(pods), old);
    new ObserveStep().run(rc);
    return rc;
  }

  private static FederatedFineTuneStatus succeeded(long secondsAgo) {
    var st = StepFixtures.withCondition(ConditionType.Succeeded, true, Reason.AllRoundsCompleted);
    st.setCompletionTime(Conditions.timestamp(NOW.minusSeconds(secondsAgo)));
    return st;
  }

  @Test
  void everyOutcomeKindHasAReason() {
    assertEquals(Reason.AllRoundsCompleted, FinishStep.reasonOf(JobOutcome.Kind.ROUNDS_COMPLETED));
    assertEquals(Reason.TargetAccuracyReached, FinishStep.reasonOf(JobOutcome.Kind.TARGET_ACCURACY_REACHED));
    assertEquals(Reason.NoImprovement, FinishStep.reasonOf(JobOutcome.Kind.NO_IMPROVEMENT));
    assertEquals(Reason.PrivacyBudgetExhausted, FinishStep.reasonOf(JobOutcome.Kind.PRIVACY_BUDGET_EXHAUSTED));
    assertEquals(Reason.BudgetExhausted, FinishStep.reasonOf(JobOutcome.Kind.BUDGET_EXHAUSTED));
    assertEquals(Reason.QuorumNotReached, FinishStep.reasonOf(JobOutcome.Kind.ROUND_FAILED));
    assertEquals(Reason.InternalError, FinishStep.reasonOf(JobOutcome.Kind.INTERNAL_ERROR));
  }

  @Test
  void aTypedFailureFailsTheJobAndCleansItsPods() {
    var job = Jobs.job("fin", "failed", 3, "a");
    Pod a = created(StepFixtures.pod(job, "a", 0, "Running"));
    var rc = observed(job, null, a);
    rc.failure = new StepResult.JobFailure(Reason.DeadlineExceeded, "too long");
    StepResult r = new FinishStep(host).run(rc);
    assertEquals(StepResult.Flow.STOP, r.flow());
    assertNull(r.requeueAt());
    assertTrue(isTrue(rc, ConditionType.Failed));
    assertEquals("DeadlineExceeded", StepFixtures.reason(rc, ConditionType.Failed));
    assertFalse(isTrue(rc, ConditionType.Running));
    assertEquals(Conditions.timestamp(NOW), rc.status.getCompletionTime());
    assertNull(client.pods().inNamespace("fin").withName(a.getMetadata().getName()).get());
  }

  @Test
  void cleanPodPolicyNoneKeepsThePods() {
    var job = Jobs.job("fin", "keep", 3, "a");
    job.getSpec().getRunPolicy().setCleanPodPolicy(CleanPodPolicy.NONE);
    Pod a = created(StepFixtures.pod(job, "a", 0, "Running"));
    var rc = observed(job, null, a);
    rc.failure = new StepResult.JobFailure(Reason.DeadlineExceeded, "too long");
    new FinishStep(host).run(rc);
    assertNotNull(client.pods().inNamespace("fin").withName(a.getMetadata().getName()).get());
  }

  @Test
  void runningWorkersOfASucceededJobGetTheirGrace() {
    var job = Jobs.job("fin", "grace", 3, "a", "b");
    Pod a = created(StepFixtures.pod(job, "a", 0, "Running"));
    Pod b = created(StepFixtures.pod(job, "b", 0, "Succeeded"));
    var rc = observed(job, succeeded(10), a, b);
    StepResult r = new FinishStep(host).run(rc);
    assertEquals(NOW.plusSeconds(20), r.requeueAt());
    assertNotNull(client.pods().inNamespace("fin").withName(a.getMetadata().getName()).get());
    assertNull(client.pods().inNamespace("fin").withName(b.getMetadata().getName()).get());

    var later = observed(job, succeeded(31), a);
    assertNull(new FinishStep(host).run(later).requeueAt());
    assertNull(client.pods().inNamespace("fin").withName(a.getMetadata().getName()).get());
  }

  @Test
  void graceIsOnlyForSucceededJobsWithActiveWorkers() {
    var job = Jobs.job("fin", "pure", 3, "a");
    var running = List.of(SlotState.observe(StepFixtures.slot(job, "a"), List.of(StepFixtures.pod(job, "a", 0, "Running"))));
    var done = List.of(SlotState.observe(StepFixtures.slot(job, "a"), List.of(StepFixtures.pod(job, "a", 0, "Succeeded"))));
    Instant end = FinishStep.graceEnd(Conditions.timestamp(NOW), NOW);
    assertEquals(NOW.plus(FinishStep.WORKER_EXIT_GRACE), end);
    assertEquals(NOW, FinishStep.graceEnd(null, NOW));
    assertTrue(FinishStep.inGrace(succeeded(0), NOW, end, running));
    assertFalse(FinishStep.inGrace(succeeded(0), NOW, end, done));
    assertFalse(FinishStep.inGrace(succeeded(0), end, end, running));
    assertFalse(FinishStep.inGrace(StepFixtures.withCondition(ConditionType.Failed, true, Reason.DeadlineExceeded), NOW,
        end, running));
  }

  @Test
  void theTtlDeletesTheJobOnceItPassed() {
    var job = Jobs.job("fin", "ttl", 3, "a");
    job.getSpec().getRunPolicy().setTtlSecondsAfterFinished(60);
    var rc = observed(job, succeeded(40));
    assertEquals(NOW.plusSeconds(20), new FinishStep(host).run(rc).requeueAt());
    assertFalse(rc.deleted);

    var due = observed(job, succeeded(60));
    new FinishStep(host).run(due);
    assertTrue(due.deleted);
  }
}
