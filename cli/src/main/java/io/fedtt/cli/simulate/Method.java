package io.fedtt.cli.simulate;

import io.fedtt.api.v1alpha1.AdapterSpec;
import io.fedtt.api.v1alpha1.AdapterType;
import io.fedtt.api.v1alpha1.Algorithm;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.MethodSpec;
import io.fedtt.core.adapter.AdapterConfig;
import java.util.Arrays;
import java.util.Locale;

/**
 * The methods {@code --method} and {@code --compare} name. Each rewrites only the adapter and method
 * parts of the manifest; data, seed and schedule stay the same, so runs are comparable.
 */
public enum Method {
    FEDTT("fedtt", "FedTT"),
    FEDTTPLUS("fedttplus", "FedTT+"),
    LORA("lora", "LoRA");

    private final String flag;
    private final String label;

    Method(String flag, String label) {
        this.flag = flag;
        this.label = label;
    }

    public String flag() {
        return flag;
    }

    public String label() {
        return label;
    }

    public static Method parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("+", "plus").replace("-", "");
        for (Method m : values()) {
            if (m.flag.equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown method '" + text + "'; use one of "
                + Arrays.stream(values()).map(Method::flag).toList());
    }

    /** The method a manifest describes as written. */
    public static Method of(FederatedFineTuneSpec spec) {
        if (spec.getAdapter() != null && spec.getAdapter().getType() == AdapterType.LORA) {
            return LORA;
        }
        return spec.getMethod() != null && spec.getMethod().getAlgorithm() == Algorithm.FED_TT_PLUS ? FEDTTPLUS : FEDTT;
    }

    /** Rewrites {@code spec} (a copy the caller owns) to run this method. */
    public void applyTo(FederatedFineTuneSpec spec) {
        if (spec.getAdapter() == null) {
            spec.setAdapter(new AdapterSpec());
        }
        if (spec.getMethod() == null) {
            spec.setMethod(new MethodSpec());
        }
        AdapterSpec a = spec.getAdapter();
        switch (this) {
            case FEDTT, FEDTTPLUS -> {
                a.setType(AdapterType.TT);
                spec.getMethod().setAlgorithm(this == FEDTT ? Algorithm.FED_TT : Algorithm.FED_TT_PLUS);
                if (this == FEDTT) {
                    spec.getMethod().setFreezing(null); // FedTT trains every core
                }
            }
            case LORA -> {
                // Federated LoRA as the baseline is usually run: rank 8 on q and v, plain FedAvg.
                a.setType(AdapterType.LORA);
                if (a.getRank() == null) {
                    a.setRank(AdapterConfig.DEFAULT_LORA_RANK);
                }
                if (a.getTargets() == null) {
                    a.setTargets(AdapterConfig.DEFAULT_LORA_TARGETS);
                }
                spec.getMethod().setAlgorithm(Algorithm.FED_TT);
                spec.getMethod().setFreezing(null);
            }
        }
    }
}
