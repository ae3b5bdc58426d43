package io.fedtt.operator.reconcile;

import static io.fedtt.operator.reconcile.StepFixtures.NOW;
import static io.fedtt.operator.reconcile.StepFixtures.isTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.EvaluationSpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.operator.build.WorkerSlots;
import io.fedtt.operator.federation.FederationHost;
import io.fedtt.operator.testing.Jobs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostAndProgressStepTest {

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

  /** A context as the validate and secret steps leave it. */
  private static ReconcileContext validated(FederatedFineTune job) {
    var rc = StepFixtures.context(job, null);
    rc.model = FederationJobMapper.modelConfig(job.getSpec()).orElseThrow();
    rc.wanted = WorkerSlots.of(job);
    rc.tokens = Map.of("a", "token-a", "b", "token-b");
    return rc;
  }

  @Test
  void warnsOnceWhenTheHeldOutEvaluationWillNotRunOnTheCluster() {
    var job = Jobs.job("ns", "noeval", 3, "a", "b");
    var e = new EvaluationSpec();
    e.setData("file:data/eval.jsonl");
    job.getSpec().setEvaluation(e);
    var rc = validated(job);
    var step = new HostStep(host);
    step.run(rc);
    assertEquals(List.of(EvaluationNotice.REASON), rc.events.stream().map(x -> x.reason()).toList());
    var again = StepFixtures.context(job, rc.status);
    again.model = rc.model;
    again.wanted = rc.wanted;
    again.tokens = rc.tokens;
    step.run(again);
    assertTrue(again.events.isEmpty(), "Created already true: no second warning");
  }

  @Test
  void hostsTheCoordinatorAndMarksTheJobStartedAndCreated() {
    var job = Jobs.job("ns", "host", 3, "a", "b");
    var rc = validated(job);
    var step = new HostStep(host);
    assertEquals(StepResult.Flow.CONTINUE, step.run(rc).flow());
    assertNotNull(rc.coordinator);
    assertTrue(host.hosts(rc.id));
    assertNotNull(rc.accounting);
    assertEquals(Conditions.timestamp(NOW), rc.status.getStartTime());
    assertTrue(isTrue(rc, ConditionType.Created));

    // the next reconcile finds the same coordinator and the same accounting
    var next = validated(job);
    step.run(next);
    assertSame(rc.coordinator, next.coordinator);
    assertSame(rc.accounting, next.accounting);
  }

  @Test
  void aSpecTheCoordinatorRejectsIsInvalid() {
    var job = Jobs.job("ns", "bad", 3, "a", "b");
    job.getSpec().getRounds().setBatchSize(0); // the schema would refuse it; the coordinator does too
    var rc = validated(job);
    StepResult r = new HostStep(host).run(rc);
    assertEquals(StepResult.Flow.STOP, r.flow());
    assertEquals("InvalidSpec", StepFixtures.reason(rc, ConditionType.Failed));
  }

  @Test
  void onlyTheFieldsTheCoordinatorUsesReopenIt() {
    var job = Jobs.job("ns", "key", 3, "a", "b");
    String key = HostStep.coordinatorKey(job);
    job.getSpec().setSuspend(true);
    job.getSpec().getRunPolicy().setBackoffLimit(9);
    assertEquals(key, HostStep.coordinatorKey(job));
    job.getSpec().getRounds().setTotal(4);
    assertNotEquals(key, HostStep.coordinatorKey(job));
  }

  @Test
  void progressCopiesTheCoordinatorsStateAndGoesOnWhileItRuns() {
    var job = Jobs.job("ns", "progress", 3, "a", "b");
    var rc = validated(job);
    new HostStep(host).run(rc);
    StepResult r = new ProgressStep().run(rc);
    assertEquals(StepResult.Flow.CONTINUE, r.flow());
    assertEquals(1, rc.jobStatus.round());
    assertEquals(3, rc.status.getRound().getTotal());
    assertEquals(0, rc.status.getRound().getCompleted());
    assertEquals(rc.accounting.adapterParameters(), rc.status.getCommunication().getParametersPerUpdate());
  }
}
