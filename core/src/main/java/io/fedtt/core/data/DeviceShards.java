package io.fedtt.core.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Which virtual devices a cross-device worker shard runs: shard {@code k} of {@code n} owns device
 * {@code i} when {@code i % n == k}. The one rule shared by the operator (the shard's token acts for
 * these devices) and the worker (the shard runs these devices), so they cannot disagree.
 */
public final class DeviceShards {

    private DeviceShards() {
    }

    /** Whether shard {@code shard} of {@code shards} owns device {@code device}. */
    public static boolean owns(int shard, int shards, int device) {
        check(shard, shards);
        if (device < 0) {
            throw new IllegalArgumentException("device index must be >= 0, was " + device);
        }
        return device % shards == shard;
    }

    /** The names ({@link Partitioners#clientName}) of the devices shard {@code shard} of {@code shards} owns. */
    public static List<String> devices(int shard, int shards, int deviceCount) {
        check(shard, shards);
        if (deviceCount < 0) {
            throw new IllegalArgumentException("device count must be >= 0, was " + deviceCount);
        }
        List<String> out = new ArrayList<>();
        for (int i = shard; i < deviceCount; i += shards) {
            out.add(Partitioners.clientName(i));
        }
        return out;
    }

    private static void check(int shard, int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be >= 1, was " + shards);
        }
        if (shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("shard must be in [0, " + shards + "), was " + shard);
        }
    }
}
