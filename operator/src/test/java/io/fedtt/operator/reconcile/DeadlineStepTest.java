package io.fedtt.operator.reconcile;

import static io.fedtt.operator.reconcile.StepFixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.operator.testing.Jobs;
import org.junit.jupiter.api.Test;

class DeadlineStepTest {

  private static ReconcileContext started(FederatedFineTune job, long secondsAgo) {
    var rc = StepFixtures.context(job, null);
    rc.status.setStartTime(Conditions.timestamp(NOW.minusSeconds(secondsAgo)));
    rc.jobStatus = StepFixtures.running(2, 5);
    return rc;
  }

  @Test
  void noDeadlineNoRequeue() {
    StepResult r = new DeadlineStep().run(started(Jobs.job("ns", "j", 5, "a"), 10_000));
    assertEquals(StepResult.Flow.CONTINUE, r.flow());
    assertNull(r.requeueAt());
  }

  @Test
  void beforeTheDeadlineTheJobIsLookedAtAgainWhenItRunsOut() {
    var job = Jobs.job("ns", "j", 5, "a");
    job.getSpec().getRunPolicy().setActiveDeadlineSeconds(100L);
    StepResult r = new DeadlineStep().run(started(job, 40));
    assertEquals(StepResult.Flow.CONTINUE, r.flow());
    assertEquals(NOW.plusSeconds(60), r.requeueAt());
  }

  @Test
  void pastTheDeadlineTheJobFails() {
    var job = Jobs.job("ns", "j", 5, "a");
    job.getSpec().getRunPolicy().setActiveDeadlineSeconds(100L);
    StepResult r = new DeadlineStep().run(started(job, 100));
    assertEquals(StepResult.Flow.END_JOB, r.flow());
    assertEquals(Reason.DeadlineExceeded, r.failure().reason());
    assertTrue(r.failure().message().endsWith("activeDeadlineSeconds=100 (round 2 of 5)"), r.failure().message());
  }
}
