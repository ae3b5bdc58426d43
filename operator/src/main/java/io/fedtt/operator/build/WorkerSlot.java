package io.fedtt.operator.build;

import io.fedtt.api.v1alpha1.SiloSpec;
import java.util.Optional;

/**
 * One worker pod's place in a job: a silo (cross-silo) or one shard of the virtual devices
 * (cross-device). Its {@link #name()} names the pod, the pod's token key and its status entry.
 *
 * @param silo the silo's spec (cross-silo), null for a device shard
 * @param shard the shard index (cross-device), -1 for a silo
 * @param shards the number of shards (cross-device), 0 for a silo
 */
public record WorkerSlot(String name, SiloSpec silo, int shard, int shards) {

  public static WorkerSlot silo(SiloSpec spec) {
    return new WorkerSlot(spec.getName(), spec, -1, 0);
  }

  public static WorkerSlot shard(int index, int count) {
    return new WorkerSlot(shardName(index), null, index, count);
  }

  public static String shardName(int index) {
    return "worker-" + index;
  }

  public boolean isShard() {
    return silo == null;
  }

  public Optional<SiloSpec> siloSpec() {
    return Optional.ofNullable(silo);
  }
}
