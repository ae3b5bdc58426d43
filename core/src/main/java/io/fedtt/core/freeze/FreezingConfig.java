package io.fedtt.core.freeze;

import java.util.List;

/**
 * Settings of the FedTT+ freezing policies (each policy reads the fields it needs).
 *
 * @param cores           fixed: core indices trained in every TT layer; negative counts from the
 *                        end (-1 = last core). Empty = per layer its zero-initialized core if it has
 *                        one, else its largest core
 * @param coresPerLayer   roundRobin and adaptive: cores trained per TT layer each round (c)
 * @param warmupRounds    adaptive: rounds 1..W train every core (W)
 * @param window          adaptive: a core's score is its mean update energy per parameter over the
 *                        last {@code window} rounds in which it was trainable
 * @param reevaluateEvery adaptive: the selection is recomputed every E rounds after the warm-up (E)
 * @param staggered       roundRobin: start each layer at a seed-derived core instead of core 0, so
 *                        layers do not all train the same position at once
 */
public record FreezingConfig(List<Integer> cores, int coresPerLayer, int warmupRounds, int window,
                             int reevaluateEvery, boolean staggered) {

    public static final int DEFAULT_CORES_PER_LAYER = 1;
    public static final int DEFAULT_WARMUP_ROUNDS = 2;
    public static final int DEFAULT_WINDOW = 2;
    public static final int DEFAULT_REEVALUATE_EVERY = 3;

    public FreezingConfig {
        cores = cores == null ? List.of() : List.copyOf(cores);
        if (coresPerLayer < 1) {
            throw new IllegalArgumentException("freezing.coresPerLayer must be >= 1, got " + coresPerLayer);
        }
        if (warmupRounds < 0) {
            throw new IllegalArgumentException("freezing.warmupRounds must be >= 0, got " + warmupRounds);
        }
        if (window < 1) {
            throw new IllegalArgumentException("freezing.window must be >= 1, got " + window);
        }
        if (reevaluateEvery < 1) {
            throw new IllegalArgumentException("freezing.reevaluateEvery must be >= 1, got " + reevaluateEvery);
        }
    }

    public static FreezingConfig defaults() {
        return new FreezingConfig(List.of(), DEFAULT_CORES_PER_LAYER, DEFAULT_WARMUP_ROUNDS, DEFAULT_WINDOW,
                DEFAULT_REEVALUATE_EVERY, false);
    }

    public FreezingConfig withCores(List<Integer> value) {
        return new FreezingConfig(value, coresPerLayer, warmupRounds, window, reevaluateEvery, staggered);
    }

    public FreezingConfig withCoresPerLayer(int value) {
        return new FreezingConfig(cores, value, warmupRounds, window, reevaluateEvery, staggered);
    }

    public FreezingConfig withWarmupRounds(int value) {
        return new FreezingConfig(cores, coresPerLayer, value, window, reevaluateEvery, staggered);
    }

    public FreezingConfig withWindow(int value) {
        return new FreezingConfig(cores, coresPerLayer, warmupRounds, value, reevaluateEvery, staggered);
    }

    public FreezingConfig withReevaluateEvery(int value) {
        return new FreezingConfig(cores, coresPerLayer, warmupRounds, window, value, staggered);
    }

    public FreezingConfig withStaggered(boolean value) {
        return new FreezingConfig(cores, coresPerLayer, warmupRounds, window, reevaluateEvery, value);
    }
}
