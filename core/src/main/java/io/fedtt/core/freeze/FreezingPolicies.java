package io.fedtt.core.freeze;

import io.fedtt.core.adapter.AdapterLayout;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The built-in FedTT+ policies by manifest name (FEDTT.md): {@code none}, {@code fixed},
 * {@code roundRobin}, {@code adaptive}. Every policy keeps non-core tensors trainable and keeps a
 * zero-initialized core trainable until it has been updated once.
 */
public final class FreezingPolicies {

    public static final String NONE = "none";
    public static final String FIXED = "fixed";
    public static final String ROUND_ROBIN = "roundRobin";
    public static final String ADAPTIVE = "adaptive";
    public static final List<String> NAMES = List.of(NONE, FIXED, ROUND_ROBIN, ADAPTIVE);
    /** Not a FedTT+ policy: the mask of adapter.loraFreezeA (FFA-LoRA), see {@link #loraFreezeA}. */
    public static final String LORA_FREEZE_A = "loraFreezeA";

    private FreezingPolicies() {
    }

    /** FFA-LoRA's mask: everything but the LoRA A matrices, every round. */
    public static FreezingPolicy loraFreezeA(AdapterLayout layout) {
        return new LoraFrozenA(Objects.requireNonNull(layout, "layout"));
    }

    /**
     * @param name   one of {@link #NAMES} (case-insensitive)
     * @param seed   used by roundRobin when {@link FreezingConfig#staggered()}; the other policies are
     *               deterministic without it
     */
    public static FreezingPolicy create(String name, FreezingConfig cfg, AdapterLayout layout, long seed) {
        Objects.requireNonNull(layout, "layout");
        FreezingConfig c = cfg == null ? FreezingConfig.defaults() : cfg;
        String n = name == null ? NONE : name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "none" -> new NoFreezing(layout);
            case "fixed" -> new FixedCores(layout, c);
            case "roundrobin" -> new RoundRobinCores(layout, c, seed);
            case "adaptive" -> new AdaptiveCores(layout, c);
            default -> throw new IllegalArgumentException("unknown freezing policy '" + name + "'; use one of " + NAMES);
        };
    }
}
