package io.fedtt.worker.cli;

import io.fedtt.core.data.DeviceShards;
import io.fedtt.core.job.JobDescription;
import io.fedtt.worker.data.JobDatasets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cross-device: which of the job's virtual devices this worker runs (shard K of N: the devices whose
 * index i has i % N == K), and their data.
 */
record Sharding(int shard, int shards) {

    /** The shard flags, both or neither; null for a silo worker. */
    static Sharding of(Integer shard, Integer shards) {
        if (shard == null && shards == null) {
            return null;
        }
        if (shard == null || shards == null) {
            throw new InvalidInputException("--shard and --shards go together (env FEDTT_SHARD, FEDTT_SHARDS)");
        }
        if (shards < 1 || shard < 0 || shard >= shards) {
            throw new InvalidInputException("--shard must be in [0, --shards) and --shards >= 1; got --shard " + shard
                    + " --shards " + shards);
        }
        return new Sharding(shard, shards);
    }

    /** The name a shard's worker goes by when no --silo is given (the operator's slot name). */
    String defaultName() {
        return "shard-" + shard;
    }

    /**
     * This shard's devices and their data: the job's device data partitioned exactly as {@code fedtt
     * simulate} and every other shard partition it, keeping the devices {@link DeviceShards} gives this
     * shard (the ones its token acts for).
     */
    Map<String, JobDatasets.ClientData> devices(JobDescription.Devices devices, JobDatasets datasets,
            java.util.function.Consumer<String> log) {
        if (devices.workers() != shards) {
            throw new InvalidInputException("--shards " + shards + " does not match spec.devices.workers "
                    + devices.workers() + ": the shards would not cover the devices exactly once");
        }
        List<String> mine = DeviceShards.devices(shard, shards, devices.count());
        if (mine.isEmpty()) {
            throw new InvalidInputException("shard " + shard + " of " + shards
                    + " owns no devices (spec.devices.count " + devices.count() + ")");
        }
        Map<String, JobDatasets.ClientData> all = Inputs.data(() -> datasets.devices(devices),
                "device data (spec.devices.data)");
        Map<String, JobDatasets.ClientData> out = new LinkedHashMap<>();
        int examples = 0;
        for (String d : mine) {
            JobDatasets.ClientData data = all.get(d);
            if (data == null) {
                throw new IllegalStateException("the partition has no device " + d); // DeviceShards and the partitioners disagree
            }
            out.put(d, data);
            examples += data.train().size();
        }
        log.accept(String.format(java.util.Locale.ROOT,
                "shard %d of %d: %d of %d devices (%s .. %s), %,d training examples from %s", shard, shards,
                out.size(), devices.count(), mine.get(0), mine.get(mine.size() - 1), examples, devices.train()));
        return out;
    }
}
