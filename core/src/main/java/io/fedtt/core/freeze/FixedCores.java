package io.fedtt.core.freeze;

import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.TtLayerSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The same cores of every TT layer train in every round. Default: the layer's zero-initialized core
 * if it has one (the up projections under identity init), else its largest core.
 */
final class FixedCores implements FreezingPolicy {

    private final AdapterLayout layout;
    private final Map<String, List<Integer>> picks = new LinkedHashMap<>();

    FixedCores(AdapterLayout layout, FreezingConfig cfg) {
        CoreMasks.requireTtLayers(FreezingPolicies.FIXED, layout);
        this.layout = layout;
        for (TtLayerSpec l : layout.ttLayers()) {
            List<Integer> chosen = new ArrayList<>();
            if (cfg.cores().isEmpty()) {
                chosen.add(l.hasZeroInitCore() ? l.zeroInitCore() : CoreMasks.bySizeDescending(l).get(0));
            } else {
                for (int c : cfg.cores()) {
                    int k = c < 0 ? l.cores() + c : c;
                    if (k < 0 || k >= l.cores()) {
                        throw new IllegalArgumentException("freezing.cores: core " + c + " does not exist in TT layer "
                                + l.name() + ", which has " + l.cores() + " cores");
                    }
                    if (!chosen.contains(k)) {
                        chosen.add(k);
                    }
                }
            }
            picks.put(l.name(), List.copyOf(chosen));
        }
    }

    @Override
    public TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory) {
        CoreMasks.checkRound(round);
        Set<String> trained = CoreMasks.trainedBefore(round, energyHistory);
        Map<String, List<Integer>> chosen = new LinkedHashMap<>();
        for (TtLayerSpec l : layout.ttLayers()) {
            chosen.put(l.name(), CoreMasks.guardZeroCore(l, picks.get(l.name()), trained));
        }
        return CoreMasks.mask(layout, chosen);
    }

    @Override
    public String name() {
        return FreezingPolicies.FIXED;
    }
}
