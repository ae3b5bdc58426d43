package io.fedtt.operator.reconcile;

import java.util.List;

/**
 * Picks the steps for the job's state and runs them in order until one stops. A job that ended in
 * an earlier reconcile gets {@code ended}; any other gets {@code active}. A step that ends the job
 * (a typed failure, or the coordinator's outcome) hands over to {@code finish}. Every requested
 * requeue is kept; the earliest wins.
 */
final class StepRunner {

  private final List<ReconcileStep> active;
  private final List<ReconcileStep> ended;
  private final ReconcileStep finish;

  StepRunner(List<ReconcileStep> active, List<ReconcileStep> ended, ReconcileStep finish) {
    this.active = List.copyOf(active);
    this.ended = List.copyOf(ended);
    this.finish = finish;
  }

  void run(ReconcileContext rc) {
    for (ReconcileStep step : rc.endedBefore() ? ended : active) {
      StepResult r = step.run(rc);
      rc.requeueAt(r.requeueAt());
      if (r.flow() == StepResult.Flow.END_JOB) {
        rc.failure = r.failure();
        rc.requeueAt(finish.run(rc).requeueAt());
        return;
      }
      if (r.flow() == StepResult.Flow.STOP) {
        return;
      }
    }
  }
}
