package io.fedtt.operator.build;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.SiloSpec;
import java.util.ArrayList;
import java.util.List;

/** The worker pods a job wants: one per silo, or one per device shard in cross-device mode. */
public final class WorkerSlots {

  private WorkerSlots() {}

  public static List<WorkerSlot> of(FederatedFineTune job) {
    FederatedFineTuneSpec spec = job.getSpec();
    List<WorkerSlot> out = new ArrayList<>();
    if (spec.getSilos() != null && !spec.getSilos().isEmpty()) {
      for (SiloSpec s : spec.getSilos()) {
        out.add(WorkerSlot.silo(s));
      }
      return out;
    }
    if (spec.getDevices() != null) {
      Integer w = spec.getDevices().getWorkers();
      int workers = w == null ? 1 : w;
      for (int i = 0; i < workers; i++) {
        out.add(WorkerSlot.shard(i, workers));
      }
    }
    return out;
  }
}
