package io.fedtt.core.adapter;

import io.fedtt.core.tensor.DType;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What each method trains and sends: TT adapters, LoRA (optionally with the dense classification
 * head PEFT trains for sequence classification) and full fine-tuning. All counts come from the
 * same layouts the worker builds, so they cannot drift from what actually travels.
 */
public final class ParameterAccounting {

    private ParameterAccounting() {
    }

    public static ParameterCount of(AdapterLayout layout) {
        AdapterConfig a = layout.adapter();
        String label = switch (a.type()) {
            case TT -> "tt r=" + a.ttRank() + " b=" + a.bottleneck()
                    + (a.ttProjections().isEmpty() ? "" : " + deltas " + a.ttProjections());
            case LORA -> "lora r=" + a.loraRank() + " " + a.loraTargets();
            case FULL -> "full";
        };
        if (layout.model().hasHead()) {
            label += " + head";
        }
        return new ParameterCount(label, layout.parameterCount(), layout.countsByRole());
    }

    public static ParameterCount tt(ModelConfig model, AdapterConfig adapter) {
        if (adapter.type() != AdapterConfig.Type.TT) {
            throw new IllegalArgumentException("tt accounting needs a TT adapter config, got " + adapter.typeName());
        }
        return of(AdapterLayout.of(model, adapter));
    }

    /**
     * What one FedTT+ update carries when every TT layer trains {@code coresPerLayer} of its cores and the
     * rest are frozen (the roundRobin and adaptive policies after the warm-up): every tensor that is not a
     * TT core (biases, norms, head) plus, per TT layer, its {@code coresPerLayer} smallest cores
     * ({@code largest} false) or largest cores ({@code largest} true). Which cores a round actually picks
     * depends on the policy (adaptive: the update energy), so these are the bounds of a round's count;
     * frozen cores travel in neither direction.
     */
    public static ParameterCount frozenCoresBound(AdapterLayout layout, int coresPerLayer, boolean largest) {
        if (coresPerLayer < 1) {
            throw new IllegalArgumentException("coresPerLayer must be >= 1, got " + coresPerLayer);
        }
        Map<Role, Long> byRole = new EnumMap<>(layout.countsByRole());
        long total = layout.parameterCount();
        for (TtLayerSpec l : layout.ttLayers()) {
            long[] sizes = new long[l.cores()];
            for (int k = 0; k < l.cores(); k++) {
                sizes[k] = l.shape().coreParameterCount(k);
            }
            Arrays.sort(sizes);
            long frozen = 0;
            int keep = Math.min(coresPerLayer, sizes.length);
            for (int k = 0; k < sizes.length - keep; k++) {
                frozen += largest ? sizes[k] : sizes[sizes.length - 1 - k];
            }
            Role role = layout.spec(l.coreName(0)).role();
            byRole.merge(role, -frozen, Long::sum);
            total -= frozen;
        }
        return new ParameterCount(of(layout).label() + ", " + coresPerLayer + " " + (largest ? "largest" : "smallest")
                + " core(s) per TT layer", total, byRole);
    }

    /**
     * LoRA of rank r on the given projections, norms frozen.
     *
     * @param withHead count the classification head too (dense hidden x hidden + bias + out_proj, as
     *                 PEFT trains it); ignored when the model has no labels
     */
    public static ParameterCount lora(ModelConfig model, int rank, List<String> targets, boolean withHead) {
        ModelConfig m = withHead ? model : model.withNumLabels(0);
        return of(AdapterLayout.of(m, AdapterConfig.lora(rank, targets)));
    }

    /** Every parameter of the model (plus its classification head when it has labels). */
    public static ParameterCount full(ModelConfig model) {
        return of(AdapterLayout.of(model, AdapterConfig.full()));
    }

    /** FEDTT.md: parameters x bytes per parameter x (uploading clients + downloading clients). */
    public static long bytesPerRound(long parameters, DType dtype, int uploads, int downloads) {
        if (parameters < 0 || uploads < 0 || downloads < 0) {
            throw new IllegalArgumentException("counts must be >= 0");
        }
        return Math.multiplyExact(Math.multiplyExact(parameters, (long) dtype.bytes()), (long) uploads + downloads);
    }
}
