package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.operator.federation.FederationHost;
import java.util.List;

/**
 * Suspend: while spec.suspend is true the pods go and the coordinator is released, but the round
 * state stays in the store, so resuming continues at the round the job was in.
 */
final class SuspendStep implements ReconcileStep {

  private final FederationHost host;

  SuspendStep(FederationHost host) {
    this.host = host;
  }

  @Override
  public StepResult run(ReconcileContext rc) {
    var st = rc.status;
    if (Boolean.TRUE.equals(rc.job.getSpec().getSuspend())) {
      WorkerPods.deleteSlots(rc.client, rc.slots, false);
      host.release(rc.id);
      if (!Conditions.isTrue(st.getConditions(), ConditionType.Suspended)) {
        st.setCondition(ConditionType.Suspended, true, Reason.SuspendedByUser, "suspended at round "
            + currentRound(rc) + "; round state is kept", rc.generation, rc.now);
        st.setCondition(ConditionType.Running, false, Reason.SuspendedByUser, "suspended", rc.generation, rc.now);
        st.setStartTime(null);
      }
      st.setSilos(SiloStatuses.of(rc.job, rc.slots, rc.oldRestarts(), history(rc), true));
      return StepResult.stop();
    }
    if (Conditions.isTrue(st.getConditions(), ConditionType.Suspended)) {
      st.setCondition(ConditionType.Suspended, false, Reason.Resumed, "resumed at round " + currentRound(rc),
          rc.generation, rc.now);
    }
    return StepResult.proceed();
  }

  private static int currentRound(ReconcileContext rc) {
    return rc.status.getRound() == null ? 0 : rc.status.getRound().getCurrent();
  }

  private List<RoundRecord> history(ReconcileContext rc) {
    return host.coordinator(rc.id).map(RoundCoordinator::history).orElse(List.of());
  }
}
