package io.fedtt.core.freeze;

import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.Role;
import io.fedtt.core.adapter.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * FFA-LoRA (Sun et al. 2024, "Improving LoRA in privacy-preserving federated learning"): every LoRA
 * A stays at its seeded random initialization and only B (plus the head) trains and travels. With A
 * fixed and shared, the clients' B updates average to exactly the mean of their low-rank deltas, which
 * plain federated LoRA's separate averages of A and B do not; and half the LoRA values never travel.
 * The same mask every round: A is never in a task, an upload or a changed-tensor download.
 */
final class LoraFrozenA implements FreezingPolicy {

    private final TrainableMask trainable;

    LoraFrozenA(AdapterLayout layout) {
        TreeSet<String> names = new TreeSet<>();
        boolean anyA = false;
        for (TensorSpec t : layout.tensors()) {
            if (t.role() == Role.LORA_A) {
                anyA = true;
            } else {
                names.add(t.name());
            }
        }
        if (!anyA) {
            throw new IllegalArgumentException("adapter.loraFreezeA freezes LoRA A matrices, but this "
                    + layout.adapter().typeName() + " layout has none; it applies to adapter.type lora");
        }
        trainable = new TrainableMask(names);
    }

    @Override
    public TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory) {
        CoreMasks.checkRound(round);
        return trainable;
    }

    @Override
    public String name() {
        return FreezingPolicies.LORA_FREEZE_A;
    }
}
