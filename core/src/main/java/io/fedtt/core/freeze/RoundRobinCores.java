package io.fedtt.core.freeze;

import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.TtLayerSpec;
import io.fedtt.core.tt.SeededRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * c cores of every TT layer train per round, moving on by c each round. A layer with a
 * zero-initialized core starts there; the others start at core 0, or at a seed-derived core when
 * staggered.
 */
final class RoundRobinCores implements FreezingPolicy {

    private final AdapterLayout layout;
    private final int perLayer;
    private final Map<String, Integer> start = new LinkedHashMap<>();

    RoundRobinCores(AdapterLayout layout, FreezingConfig cfg, long seed) {
        CoreMasks.requireTtLayers(FreezingPolicies.ROUND_ROBIN, layout);
        this.layout = layout;
        this.perLayer = cfg.coresPerLayer();
        for (TtLayerSpec l : layout.ttLayers()) {
            int s;
            if (l.hasZeroInitCore()) {
                s = l.zeroInitCore();
            } else if (cfg.staggered()) {
                s = (int) Math.floor(SeededRandom.forTensor(seed, l.name()).nextDouble() * l.cores());
            } else {
                s = 0;
            }
            start.put(l.name(), s);
        }
    }

    @Override
    public TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory) {
        CoreMasks.checkRound(round);
        Set<String> trained = CoreMasks.trainedBefore(round, energyHistory);
        Map<String, List<Integer>> chosen = new LinkedHashMap<>();
        for (TtLayerSpec l : layout.ttLayers()) {
            int d = l.cores();
            int c = Math.min(perLayer, d);
            long first = start.get(l.name()) + (long) (round - 1) * c;
            List<Integer> picks = new ArrayList<>(c);
            for (int t = 0; t < c; t++) {
                picks.add((int) ((first + t) % d));
            }
            chosen.put(l.name(), CoreMasks.guardZeroCore(l, picks, trained));
        }
        return CoreMasks.mask(layout, chosen);
    }

    @Override
    public String name() {
        return FreezingPolicies.ROUND_ROBIN;
    }
}
