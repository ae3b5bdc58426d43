package io.fedtt.core.adapter;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What to train: TT adapters (FedTT), LoRA (the baseline) or everything (full fine-tuning).
 *
 * @param ttRank         inner TT rank r (FEDTT.md's counts use 5)
 * @param bottleneck     adapter bottleneck width (64)
 * @param modes          optional mode overrides keyed by projection: "down" [hidden, bottleneck],
 *                       "up" [bottleneck, hidden], "head" (classifier dense [hidden, hidden]), "delta"
 *                       (every TT delta, [in, out] of its projection); anything not given is chosen by
 *                       {@link io.fedtt.core.tt.ModeFactorizer}
 * @param init           IDENTITY (the last core of every up projection and delta is zero) or LORETTA
 *                       (all cores Gaussian)
 * @param trainLayerNorm train the LayerNorm/RMSNorm weights (LoRETTA does for TT)
 * @param ttProjections  type TT: projections that also get a TT delta, a bias-less TT layer W [in, out]
 *                       added in parallel (y = x·W0 + s·x·W, named {@code <module>.tt_delta}), in every
 *                       layer, next to the bottleneck adapters; named as loraTargets ({@link Projections}).
 *                       Empty (the default): the adapters alone, as FEDTT.md
 * @param loraTargets    projections LoRA adapts, e.g. [query, value] (BERT) or [q_proj, v_proj]
 *                       (LLaMA); the other family's spelling is accepted too ({@link Projections})
 * @param loraAlpha      LoRA's alpha; the worker scales B·A by loraAlpha / loraRank
 * @param scaling        s in Adapter(h) = h + s · Up(ReLU(Down(h))) and in a TT delta's s·x·W
 * @param head           the classification head on the pooled encoder output; null picks the adapter
 *                       type's default ({@link Head#defaultFor})
 * @param adapterBias    which of an adapter's two TT projections carry a dense bias; null is BOTH
 *                       (FEDTT.md's layout)
 */
public record AdapterConfig(Type type, int ttRank, int bottleneck, Map<String, List<Integer>> modes, Init init,
                            boolean trainLayerNorm, List<String> ttProjections, int loraRank,
                            List<String> loraTargets, double loraAlpha, double scaling, Head head,
                            AdapterBias adapterBias) {

    public enum Type { TT, LORA, FULL }

    public enum Init { IDENTITY, LORETTA }

    /**
     * The dense biases of a bottleneck adapter: BOTH (down [bottleneck] and up [hidden], as FEDTT.md and
     * Houlsby adapters), DOWN (the ReLU's threshold only; the up projection's hidden-sized bias is most
     * of an adapter's bias values) or NONE.
     */
    public enum AdapterBias {
        BOTH, DOWN, NONE;

        public boolean down() {
            return this != NONE;
        }

        public boolean up() {
            return this == BOTH;
        }
    }

    /**
     * What maps the pooled encoder output to label logits (all of it trains and travels).
     * LINEAR: one [labels, hidden] projection, as Hugging Face's decoder classifiers ("score") have.
     * DENSE: Hugging Face's RoBERTa head, a dense [hidden, hidden] layer, tanh, then the projection.
     * TT: LoRETTA's head, the same with the dense layer as a TT layer.
     */
    public enum Head {
        LINEAR, DENSE, TT;

        /**
         * TT adapters default to LINEAR: a TT dense layer has matrix rank at most the TT rank (its
         * modes split input from output between two cores), a bottleneck of ttRank features (3 by default) for any
         * number of labels; it learned slowest in the head experiments (BENCHMARKS.md, "Why FedTT
         * learned slower"), and DENSE would send four times the bytes of all the TT adapters.
         * LoRA and full fine-tuning keep PEFT's DENSE.
         */
        public static Head defaultFor(Type type) {
            return type == Type.TT ? LINEAR : DENSE;
        }
    }

    public static final int DEFAULT_TT_RANK = 5;
    public static final int DEFAULT_BOTTLENECK = 64;
    public static final int DEFAULT_LORA_RANK = 8;
    public static final List<String> DEFAULT_LORA_TARGETS = List.of("query", "value");
    public static final double DEFAULT_LORA_ALPHA = 16;

    public AdapterConfig {
        if (type == null) {
            throw new IllegalArgumentException("adapter type is required (TT, LORA or FULL)");
        }
        if (init == null) {
            init = Init.IDENTITY;
        }
        if (ttRank < 1) {
            throw new IllegalArgumentException("ttRank must be >= 1, got " + ttRank);
        }
        if (bottleneck < 1) {
            throw new IllegalArgumentException("bottleneck must be >= 1, got " + bottleneck);
        }
        if (loraRank < 1) {
            throw new IllegalArgumentException("loraRank must be >= 1, got " + loraRank);
        }
        if (!(loraAlpha > 0) || Double.isInfinite(loraAlpha)) {
            throw new IllegalArgumentException("loraAlpha must be a positive number, got " + loraAlpha);
        }
        if (!Double.isFinite(scaling)) {
            throw new IllegalArgumentException("scaling must be finite, got " + scaling);
        }
        Map<String, List<Integer>> m = new TreeMap<>();
        if (modes != null) {
            for (Map.Entry<String, List<Integer>> e : modes.entrySet()) {
                String key = e.getKey();
                if (Arrays.stream(TtLayerSpec.Kind.values()).noneMatch(k -> k.key().equals(key))) {
                    throw new IllegalArgumentException("modes: unknown projection '" + key
                            + "'; use down, up, head or delta");
                }
                if (e.getValue() == null || e.getValue().isEmpty()) {
                    throw new IllegalArgumentException("modes." + key + " is empty");
                }
                m.put(key, List.copyOf(e.getValue()));
            }
        }
        modes = Collections.unmodifiableMap(m);
        ttProjections = ttProjections == null ? List.of() : List.copyOf(ttProjections);
        loraTargets = List.copyOf(loraTargets == null || loraTargets.isEmpty() ? DEFAULT_LORA_TARGETS : loraTargets);
        if (head == null) {
            head = Head.defaultFor(type);
        }
        if (adapterBias == null) {
            adapterBias = AdapterBias.BOTH;
        }
    }

    /** FedTT's defaults: rank 5, bottleneck 64, identity-at-start, norms trained. */
    public static AdapterConfig tt() {
        return tt(DEFAULT_TT_RANK, DEFAULT_BOTTLENECK);
    }

    public static AdapterConfig tt(int rank, int bottleneck) {
        return new AdapterConfig(Type.TT, rank, bottleneck, Map.of(), Init.IDENTITY, true, List.of(), DEFAULT_LORA_RANK,
                DEFAULT_LORA_TARGETS, DEFAULT_LORA_ALPHA, 1.0, null, null);
    }

    /** LoRA as PEFT trains it for classification: A, B on the targets plus the head; norms frozen. */
    public static AdapterConfig lora(int rank, List<String> targets) {
        return new AdapterConfig(Type.LORA, DEFAULT_TT_RANK, DEFAULT_BOTTLENECK, Map.of(), Init.IDENTITY, false,
                List.of(), rank, targets, DEFAULT_LORA_ALPHA, 1.0, null, null);
    }

    public static AdapterConfig full() {
        return new AdapterConfig(Type.FULL, DEFAULT_TT_RANK, DEFAULT_BOTTLENECK, Map.of(), Init.IDENTITY, false,
                List.of(), DEFAULT_LORA_RANK, DEFAULT_LORA_TARGETS, DEFAULT_LORA_ALPHA, 1.0, null, null);
    }

    public AdapterConfig withTtRank(int value) {
        return new AdapterConfig(type, value, bottleneck, modes, init, trainLayerNorm, ttProjections,
                loraRank, loraTargets, loraAlpha, scaling, head, adapterBias);
    }

    public AdapterConfig withInit(Init value) {
        return new AdapterConfig(type, ttRank, bottleneck, modes, value, trainLayerNorm, ttProjections,
                loraRank, loraTargets, loraAlpha, scaling, head, adapterBias);
    }

    public AdapterConfig withModes(Map<String, List<Integer>> value) {
        return new AdapterConfig(type, ttRank, bottleneck, value, init, trainLayerNorm, ttProjections,
                loraRank, loraTargets, loraAlpha, scaling, head, adapterBias);
    }

    public AdapterConfig withTrainLayerNorm(boolean value) {
        return new AdapterConfig(type, ttRank, bottleneck, modes, init, value, ttProjections,
                loraRank, loraTargets, loraAlpha, scaling, head, adapterBias);
    }

    /** TT deltas on these projections too (type TT), e.g. [q_proj, v_proj]; empty for none. */
    public AdapterConfig withTtProjections(List<String> value) {
        return new AdapterConfig(type, ttRank, bottleneck, modes, init, trainLayerNorm, value,
                loraRank, loraTargets, loraAlpha, scaling, head, adapterBias);
    }

    public AdapterConfig withLoraAlpha(double value) {
        return new AdapterConfig(type, ttRank, bottleneck, modes, init, trainLayerNorm, ttProjections,
                loraRank, loraTargets, value, scaling, head, adapterBias);
    }

    public AdapterConfig withScaling(double value) {
        return new AdapterConfig(type, ttRank, bottleneck, modes, init, trainLayerNorm, ttProjections,
                loraRank, loraTargets, loraAlpha, value, head, adapterBias);
    }

    public AdapterConfig withHead(Head value) {
        return new AdapterConfig(type, ttRank, bottleneck, modes, init, trainLayerNorm, ttProjections,
                loraRank, loraTargets, loraAlpha, scaling, value, adapterBias);
    }

    public AdapterConfig withAdapterBias(AdapterBias value) {
        return new AdapterConfig(type, ttRank, bottleneck, modes, init, trainLayerNorm, ttProjections,
                loraRank, loraTargets, loraAlpha, scaling, head, value);
    }

    /** The modes override for a projection ("down", "up", "head", "delta"), or null. */
    public int[] modesFor(TtLayerSpec.Kind kind) {
        List<Integer> m = modes.get(kind.key());
        return m == null ? null : m.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Lower-case name as in manifests (tt, lora, full). */
    public String typeName() {
        return type.name().toLowerCase(Locale.ROOT);
    }
}
