package io.fedtt.operator.build;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.core.data.DeviceShards;
import io.fedtt.core.job.JobDefaults;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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
      int workers = w == null ? JobDefaults.DEVICE_WORKERS : w;
      for (int i = 0; i < workers; i++) {
        out.add(WorkerSlot.shard(i, workers));
      }
    }
    return out;
  }

  /**
   * The participants each slot's token acts for (slot -> participants): a silo acts for itself, a
   * device shard for the devices {@link DeviceShards} gives it, as its worker runs them.
   */
  public static Map<String, List<String>> actsFor(FederatedFineTune job, List<WorkerSlot> slots) {
    Map<String, List<String>> out = new TreeMap<>();
    for (WorkerSlot s : slots) {
      if (s.isShard()) {
        Integer count = job.getSpec().getDevices() == null ? null : job.getSpec().getDevices().getCount();
        out.put(s.name(), DeviceShards.devices(s.shard(), s.shards(), count == null ? 0 : count));
      } else {
        out.put(s.name(), List.of(s.name()));
      }
    }
    return out;
  }
}
