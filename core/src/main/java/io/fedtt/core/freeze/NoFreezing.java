package io.fedtt.core.freeze;

import io.fedtt.core.adapter.AdapterLayout;
import java.util.List;
import java.util.Map;

/** Plain FedTT: every tensor trains every round. */
final class NoFreezing implements FreezingPolicy {

    private final TrainableMask all;

    NoFreezing(AdapterLayout layout) {
        this.all = TrainableMask.of(layout.names());
    }

    @Override
    public TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory) {
        CoreMasks.checkRound(round);
        return all;
    }

    @Override
    public String name() {
        return FreezingPolicies.NONE;
    }
}
