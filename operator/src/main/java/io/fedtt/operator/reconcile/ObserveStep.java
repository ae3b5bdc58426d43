package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.operator.build.WorkerSlot;
import io.fedtt.operator.build.WorkerSlots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Observe: each worker slot the spec wants, with its newest pod and what that pod is doing. Pods of
 * slots no longer in the spec (a silo was removed) take no further part and are deleted.
 */
final class ObserveStep implements ReconcileStep {

  @Override
  public StepResult run(ReconcileContext rc) {
    Map<String, List<Pod>> bySlot = SlotState.bySlot(rc.observed.pods());
    List<SlotState> out = new ArrayList<>();
    for (WorkerSlot w : wantedOrNone(rc.job)) {
      out.add(SlotState.observe(w, bySlot.getOrDefault(w.name(), List.of())));
      bySlot.remove(w.name());
    }
    bySlot.values().forEach(gone -> WorkerPods.delete(rc.client, gone));
    rc.slots = out;
    return StepResult.proceed();
  }

  /** The slots of a spec that may be invalid: none when they cannot be worked out (validate says why). */
  static List<WorkerSlot> wantedOrNone(FederatedFineTune job) {
    if (job.getSpec() == null) {
      return List.of();
    }
    try {
      return WorkerSlots.of(job);
    } catch (RuntimeException e) {
      return List.of();
    }
  }
}
