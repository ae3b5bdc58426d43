package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.status.Reason;
import java.time.Instant;

/**
 * What a {@link ReconcileStep} tells the reconcile: go on with the next step, stop here (the status
 * so far is what gets written), or end the job (skip to {@link FinishStep}); and when to look at the
 * job again even if nothing changes (a backoff, a deadline, a grace period, a ttl).
 *
 * @param requeueAt when to reconcile again at the latest; null: only on the next event
 * @param failure why the job fails, for {@link Flow#END_JOB}; null when it ends as the coordinator says
 */
record StepResult(Flow flow, Instant requeueAt, JobFailure failure) {

  enum Flow { CONTINUE, STOP, END_JOB }

  /** A typed reason the job fails with: it becomes the Failed condition and a Warning event, never a retry. */
  record JobFailure(Reason reason, String message) {}

  private static final StepResult CONTINUE = new StepResult(Flow.CONTINUE, null, null);
  private static final StepResult STOP = new StepResult(Flow.STOP, null, null);

  static StepResult proceed() {
    return CONTINUE;
  }

  /** Go on, and look again at {@code requeueAt} (null: no need). */
  static StepResult proceed(Instant requeueAt) {
    return new StepResult(Flow.CONTINUE, requeueAt, null);
  }

  static StepResult stop() {
    return STOP;
  }

  static StepResult stop(Instant requeueAt) {
    return new StepResult(Flow.STOP, requeueAt, null);
  }

  /** The job fails: conditions, completion time, clean-up by {@link FinishStep}. */
  static StepResult fail(Reason reason, String message) {
    return new StepResult(Flow.END_JOB, null, new JobFailure(reason, message));
  }

  /** The coordinator ended the job; {@link FinishStep} records how. */
  static StepResult coordinatorFinished() {
    return new StepResult(Flow.END_JOB, null, null);
  }
}
