package io.fedtt.core.freeze;

import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.TensorSpec;
import io.fedtt.core.adapter.TtLayerSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a mask trains, for status and reports: trainable parameters and, per TT layer, the trainable
 * core indices.
 *
 * @param coresByLayer TT layer name to its trainable core indices (ascending), in layout order
 */
public record MaskSummary(long trainableParameters, long totalParameters, Map<String, List<Integer>> coresByLayer) {

    public MaskSummary {
        coresByLayer = Collections.unmodifiableMap(new LinkedHashMap<>(coresByLayer));
    }

    public static MaskSummary of(AdapterLayout layout, TrainableMask mask) {
        long trainable = 0;
        for (TensorSpec t : layout.tensors()) {
            if (mask.isTrainable(t.name())) {
                trainable += t.numel();
            }
        }
        Map<String, List<Integer>> cores = new LinkedHashMap<>();
        for (TtLayerSpec l : layout.ttLayers()) {
            List<Integer> ks = new ArrayList<>();
            for (int k = 0; k < l.cores(); k++) {
                if (mask.isTrainable(l.coreName(k))) {
                    ks.add(k);
                }
            }
            cores.put(l.name(), List.copyOf(ks));
        }
        return new MaskSummary(trainable, layout.parameterCount(), cores);
    }

    /** Fraction of the adapter's parameters that train (and travel) under the mask. */
    public double trainableFraction() {
        return totalParameters == 0 ? 0 : (double) trainableParameters / totalParameters;
    }

    /** e.g. "cores [2]: 24 layers; cores [4]: 24 layers; all cores: 1 layer". */
    public String describe() {
        Map<String, Integer> groups = new TreeMap<>();
        for (Map.Entry<String, List<Integer>> e : coresByLayer.entrySet()) {
            groups.merge("cores " + e.getValue(), 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        groups.forEach((k, v) -> parts.add(k + ": " + v + (v == 1 ? " layer" : " layers")));
        return String.join("; ", parts);
    }
}
