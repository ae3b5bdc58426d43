package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.RunPolicy;
import io.fedtt.api.v1alpha1.status.Reason;
import java.time.Instant;

/**
 * Deadline: a job running longer than runPolicy.activeDeadlineSeconds (counted from its start time)
 * fails with DeadlineExceeded; until then the reconcile is requeued for the moment it runs out.
 */
final class DeadlineStep implements ReconcileStep {

  @Override
  public StepResult run(ReconcileContext rc) {
    RunPolicy policy = rc.job.getSpec().getRunPolicy();
    Long ads = policy == null ? null : policy.getActiveDeadlineSeconds();
    if (ads == null) {
      return StepResult.proceed();
    }
    Instant deadline = Instant.parse(rc.status.getStartTime()).plusSeconds(ads);
    if (!rc.now.isBefore(deadline)) {
      return StepResult.fail(Reason.DeadlineExceeded, "the job ran longer than runPolicy.activeDeadlineSeconds="
          + ads + " (round " + rc.jobStatus.round() + " of " + rc.jobStatus.totalRounds() + ")");
    }
    return StepResult.proceed(deadline);
  }
}
