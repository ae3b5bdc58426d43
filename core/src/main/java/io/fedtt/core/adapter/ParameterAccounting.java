package io.fedtt.core.adapter;

import io.fedtt.core.tensor.DType;
import java.util.List;

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
            case TT -> "tt r=" + a.ttRank() + " b=" + a.bottleneck();
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
