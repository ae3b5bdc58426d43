package io.fedtt.operator.reconcile;

/**
 * Progress: the coordinator's state into the status (round, bytes with the LoRA and full-model
 * comparison, accuracy, history; see {@link ProgressStatus}). When the coordinator has ended the job,
 * the reconcile goes straight to {@link FinishStep}.
 */
final class ProgressStep implements ReconcileStep {

  @Override
  public StepResult run(ReconcileContext rc) {
    // Read once: the later steps see the same round, even if the coordinator moves on meanwhile.
    rc.jobStatus = rc.coordinator.status();
    rc.history = rc.coordinator.history();
    ProgressStatus.apply(rc.status, rc.jobStatus, rc.history, rc.accounting, rc.coordinator.spec().budgetBytes());
    rc.status.setPrivacy(PrivacyStatusOf.of(rc.coordinator.spec(), rc.history));
    return rc.jobStatus.phase().finished() ? StepResult.coordinatorFinished() : StepResult.proceed();
  }
}
