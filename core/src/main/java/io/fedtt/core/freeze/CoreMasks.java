package io.fedtt.core.freeze;

import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.TensorSpec;
import io.fedtt.core.adapter.TtLayerSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Shared pieces of the core-selecting policies: turning selections into masks, and the zero-core guard. */
final class CoreMasks {

    private CoreMasks() {
    }

    static void checkRound(int round) {
        if (round < 1) {
            throw new IllegalArgumentException("rounds are numbered from 1, got " + round);
        }
    }

    static void requireTtLayers(String policy, AdapterLayout layout) {
        if (layout.ttLayers().isEmpty()) {
            throw new IllegalArgumentException("freezing policy '" + policy + "' freezes TT cores, but this "
                    + layout.adapter().typeName() + " layout has no TT layers; use 'none'");
        }
    }

    /** Every non-core tensor plus the chosen core indices of each TT layer. */
    static TrainableMask mask(AdapterLayout layout, Map<String, ? extends Iterable<Integer>> chosenByLayer) {
        Set<String> names = new TreeSet<>();
        for (TensorSpec t : layout.tensors()) {
            if (!t.isTtCore()) {
                names.add(t.name());
            }
        }
        for (TtLayerSpec l : layout.ttLayers()) {
            Iterable<Integer> chosen = chosenByLayer.get(l.name());
            if (chosen != null) {
                for (int k : chosen) {
                    names.add(l.coreName(k));
                }
            }
        }
        return new TrainableMask(new TreeSet<>(names));
    }

    /** Cores with a non-zero update in rounds 1..round-1 of the history (later entries are ignored). */
    static Set<String> trainedBefore(int round, List<Map<String, Double>> history) {
        Set<String> trained = new HashSet<>();
        int n = Math.min(round - 1, history == null ? 0 : history.size());
        for (int j = 0; j < n; j++) {
            Map<String, Double> e = history.get(j);
            if (e == null) {
                continue;
            }
            e.forEach((name, v) -> {
                if (v != null && v > 0) {
                    trained.add(name);
                }
            });
        }
        return trained;
    }

    /**
     * With identity-at-start init the up projection's last core is zero; frozen while zero, the
     * adapter would stay the identity forever (and the other up cores get no gradient). So until
     * that core has been updated once, it replaces the lowest-priority pick of its layer.
     *
     * @param picks the layer's chosen cores, highest priority first
     */
    static List<Integer> guardZeroCore(TtLayerSpec layer, List<Integer> picks, Set<String> trained) {
        if (!layer.hasZeroInitCore() || trained.contains(layer.coreName(layer.zeroInitCore()))
                || picks.contains(layer.zeroInitCore())) {
            return picks;
        }
        List<Integer> out = new ArrayList<>(picks);
        if (out.isEmpty()) {
            out.add(layer.zeroInitCore());
        } else {
            out.set(out.size() - 1, layer.zeroInitCore());
        }
        return out;
    }

    /** Core indices of a layer from largest to smallest, ties by index. */
    static List<Integer> bySizeDescending(TtLayerSpec layer) {
        List<Integer> idx = new ArrayList<>();
        for (int k = 0; k < layer.cores(); k++) {
            idx.add(k);
        }
        idx.sort(Comparator.<Integer>comparingLong(k -> -layer.shape().coreParameterCount(k))
                .thenComparingInt(k -> k));
        return idx;
    }
}
