package io.fedtt.core.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.freeze.FreezingConfig;
import io.fedtt.core.freeze.FreezingPolicies;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.MaskSummary;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.core.tt.TtMatrix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Grouped-query attention, tied embeddings, attention biases, and TT deltas on projections. */
class LlamaFamilyLayoutTest {

    /**
     * Qwen2-0.5B's shape (config.json: hidden 896, 24 layers, intermediate 4864, 14 heads, 2 key/value
     * heads, vocabulary 151,936, tie_word_embeddings, q/k/v biases). Positions do not enter any count.
     */
    private static final ModelConfig QWEN2_05B =
            new ModelConfig(ModelConfig.Family.LLAMA, 896, 24, 4864, 14, 2, 151_936, 32_768, 0, true, true, 0);

    /** hidden 64, 4 heads of 16, 2 key/value heads (k/v out 32), FFN 128, vocabulary 100. */
    private static ModelConfig tiny(boolean tied, boolean bias) {
        return new ModelConfig(ModelConfig.Family.LLAMA, 64, 2, 128, 4, 2, 100, 256, 0, tied, bias, 0);
    }

    @Test
    void modelConfigValidatesTheNewFieldsNamingThem() {
        assertEquals(8, ModelConfig.llama3_8b().numKeyValueHeads());
        assertEquals(1024, ModelConfig.llama3_8b().keyValueSize());
        assertEquals(4096, ModelConfig.llama2_7b().keyValueSize());
        assertEquals(128, ModelConfig.llama2_7b().headDim());
        assertEquals(12, ModelConfig.allMiniLmL6V2(2).numKeyValueHeads());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.llama(4096, 32, 14336, 32, 5, 128256, 8192, false, false));
        assertEquals("numHeads 32 is not divisible by numKeyValueHeads 5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.llama(4096, 32, 14336, 32, 0, 128256, 8192, false, false));
        assertEquals("numKeyValueHeads must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig(ModelConfig.Family.BERT, 384, 6, 1536, 12, 4, 30522, 512, 2, false, false, 2));
        assertTrue(e.getMessage().startsWith("numKeyValueHeads must equal numHeads (12) for a BERT model"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ModelConfig(ModelConfig.Family.LLAMA, 64, 2, 128, 4, 2, 100, 256, 2, false, false, 0));
        assertTrue(e.getMessage().startsWith("typeVocabSize must be 0 for a LLAMA model"), e.getMessage());
    }

    @Test
    void groupedQueryAttentionNarrowsKeyAndValueProjections() {
        AdapterLayout lora = AdapterLayout.of(ModelConfig.llama3_8b(),
                AdapterConfig.lora(8, List.of("q_proj", "k_proj", "v_proj", "o_proj")));
        assertArrayEquals(new int[] {8, 4096}, lora.spec("model.layers.0.self_attn.k_proj.lora_A").shape());
        assertArrayEquals(new int[] {1024, 8}, lora.spec("model.layers.0.self_attn.k_proj.lora_B").shape());
        assertArrayEquals(new int[] {1024, 8}, lora.spec("model.layers.31.self_attn.v_proj.lora_B").shape());
        assertArrayEquals(new int[] {4096, 8}, lora.spec("model.layers.0.self_attn.q_proj.lora_B").shape());
        assertArrayEquals(new int[] {4096, 8}, lora.spec("model.layers.0.self_attn.o_proj.lora_B").shape());

        AdapterLayout full = AdapterLayout.of(ModelConfig.llama3_8b(), AdapterConfig.full());
        assertArrayEquals(new int[] {1024, 4096}, full.spec("model.layers.0.self_attn.k_proj.weight").shape());
        assertArrayEquals(new int[] {1024, 4096}, full.spec("model.layers.0.self_attn.v_proj.weight").shape());
        assertArrayEquals(new int[] {4096, 4096}, full.spec("model.layers.0.self_attn.q_proj.weight").shape());
        assertFalse(full.contains("model.layers.0.self_attn.q_proj.bias"));
        // Meta-Llama-3-8B has 8,030,261,248 parameters. By hand: embed_tokens and lm_head 2 x 128256 x 4096
        // = 1,050,673,152; per layer q, o 2 x 4096^2 = 33,554,432, k, v 2 x 4096 x 1024 = 8,388,608, MLP
        // 3 x 4096 x 14336 = 176,160,768, two norms 8,192: 218,112,000, x 32 = 6,979,584,000; final norm 4,096.
        assertEquals(8_030_261_248L, full.parameterCount());
    }

    @Test
    void tiedEmbeddingsHaveNoLmHeadAndAttentionBiasesAreTrainedInFull() {
        AdapterLayout tiedBias = AdapterLayout.of(tiny(true, true), AdapterConfig.full());
        assertFalse(tiedBias.contains("lm_head.weight"));
        assertArrayEquals(new int[] {64}, tiedBias.spec("model.layers.1.self_attn.q_proj.bias").shape());
        assertArrayEquals(new int[] {32}, tiedBias.spec("model.layers.1.self_attn.k_proj.bias").shape());
        assertArrayEquals(new int[] {32}, tiedBias.spec("model.layers.1.self_attn.v_proj.bias").shape());
        assertFalse(tiedBias.contains("model.layers.1.self_attn.o_proj.bias"));
        // per layer: norms 2 x 64, q 64x64 + 64, k and v 64x32 + 32 each, o 64x64, MLP 3 x 64x128
        // = 128 + 4,160 + 2 x 2,080 + 4,096 + 24,576 = 37,120; x 2 layers + embeddings 100x64 + final norm 64
        assertEquals(2 * 37_120L + 6_400 + 64, tiedBias.parameterCount());
        AdapterLayout plain = AdapterLayout.of(tiny(false, false), AdapterConfig.full());
        assertArrayEquals(new int[] {100, 64}, plain.spec("lm_head.weight").shape());
        // no biases (2 layers x (64 + 32 + 32)), an lm_head of 100x64
        assertEquals(tiedBias.parameterCount() - 2 * 128 + 6_400, plain.parameterCount());
        // with labels the classification "score" replaces the LM head, tied or not
        AdapterLayout labelled = AdapterLayout.of(tiny(false, false).withNumLabels(3), AdapterConfig.full());
        assertFalse(labelled.contains("lm_head.weight"));
        assertArrayEquals(new int[] {3, 64}, labelled.spec("score.weight").shape());
    }

    @Test
    void qwen2HalfBillionHasItsPublishedParameterCount() {
        // Qwen2-0.5B: 494,032,768 parameters. By hand: embeddings (tied, counted once) 151936 x 896 =
        // 136,134,656; per layer q 896^2 + 896 = 803,712, k and v 896 x 128 + 128 = 114,816 each, o 802,816,
        // MLP 3 x 896 x 4864 = 13,074,432, norms 1,792: 14,912,384, x 24 = 357,897,216; final norm 896.
        assertEquals(494_032_768L, AdapterLayout.of(QWEN2_05B, AdapterConfig.full()).parameterCount());
    }

    @Test
    void ttDeltasOnLlamaProjections() {
        AdapterConfig cfg = AdapterConfig.tt().withTtProjections(List.of("q_proj", "k", "value", "o_proj"));
        AdapterLayout l = AdapterLayout.of(ModelConfig.llama3_8b(), cfg);
        TtLayerSpec q = l.ttLayer("model.layers.3.self_attn.q_proj.tt_delta");
        TtLayerSpec k = l.ttLayer("model.layers.3.self_attn.k_proj.tt_delta");
        assertEquals(TtLayerSpec.Kind.DELTA, q.kind());
        assertEquals(4096, q.in());
        assertEquals(4096, q.out());
        assertEquals(4096, k.in());
        assertEquals(1024, k.out(), "k_proj of a grouped-query model is [hidden, kvHeads x headDim]");
        assertFalse(q.hasBias());
        assertThrows(IllegalStateException.class, q::biasName);
        assertFalse(l.contains("model.layers.3.self_attn.q_proj.tt_delta.bias"));
        assertTrue(l.contains("model.layers.3.self_attn.v_proj.tt_delta.cores.0"));
        assertEquals(Role.TT_CORE, l.spec("model.layers.3.self_attn.o_proj.tt_delta.cores.0").role());
        // 4096x4096 -> [8,8,8,8 | 8,8,8,8]: 1x8x5 + 6 x 5x8x5 + 5x8x1 = 40 + 1,200 + 40 = 1,280
        assertArrayEquals(new int[] {8, 8, 8, 8, 8, 8, 8, 8}, q.shape().modes());
        assertEquals(1_280L, q.shape().parameterCount());
        // 4096x1024 -> [8,8,8,8 | 16,8,8]: 40 + 3 x 200 + 5x16x5 + 5x8x5 + 5x8x1 = 40 + 600 + 400 + 200 + 40
        assertArrayEquals(new int[] {8, 8, 8, 8, 16, 8, 8}, k.shape().modes());
        assertEquals(1_280L, k.shape().parameterCount());
        // identity-at-start: like the up projections, every delta's last core is zero
        assertEquals(q.cores() - 1, q.zeroInitCore());
        assertTrue(l.zeroInitializedCores().contains("model.layers.0.self_attn.v_proj.tt_delta.cores.6"));
        // 3 adapters (6 TT layers) and 4 deltas per layer
        assertEquals(32 * (6 + 4), l.ttLayers().size());
        // the model's order: norms, attention deltas, then the MLP's adapters
        List<String> names = l.names();
        assertTrue(names.indexOf("model.layers.0.post_attention_layernorm.weight")
                < names.indexOf("model.layers.0.self_attn.q_proj.tt_delta.cores.0"));
        assertTrue(names.indexOf("model.layers.0.self_attn.o_proj.tt_delta.cores.7")
                < names.indexOf("model.layers.0.mlp.gate_proj.input_adapter.down.cores.0"));
        // the adapters are unchanged: the deltas add 32 x 4 x 1,280 = 163,840 core parameters
        AdapterLayout plain = AdapterLayout.of(ModelConfig.llama3_8b(), AdapterConfig.tt());
        assertEquals(plain.parameterCount() + 163_840L, l.parameterCount());
        assertEquals(plain.countsByRole().get(Role.ADAPTER_BIAS), l.countsByRole().get(Role.ADAPTER_BIAS));

        AdapterLayout mlp = AdapterLayout.of(ModelConfig.llama3_8b(),
                AdapterConfig.tt().withTtProjections(List.of("down_proj", "gate_proj")));
        TtLayerSpec down = mlp.ttLayer("model.layers.0.mlp.down_proj.tt_delta");
        assertEquals(14336, down.in());
        assertEquals(4096, down.out());
        List<String> order = mlp.ttLayers().subList(0, 8).stream().map(TtLayerSpec::name).toList();
        assertEquals(List.of("model.layers.0.mlp.gate_proj.input_adapter.down",
                "model.layers.0.mlp.gate_proj.input_adapter.up", "model.layers.0.mlp.gate_proj.tt_delta",
                "model.layers.0.mlp.up_proj.input_adapter.down", "model.layers.0.mlp.up_proj.input_adapter.up",
                "model.layers.0.mlp.down_proj.tt_delta", "model.layers.0.mlp.down_proj.output_adapter.down",
                "model.layers.0.mlp.down_proj.output_adapter.up"), order);
        // LLaMA-2-7B's intermediate size 11008 = 2^8 x 43 has no balanced factorization: the error names the layer
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterLayout.of(
                ModelConfig.llama2_7b(), AdapterConfig.tt().withTtProjections(List.of("up_proj"))));
        assertTrue(e.getMessage().startsWith("model.layers.0.mlp.up_proj.tt_delta: no factorization of the 4096x11008"),
                e.getMessage());
    }

    @Test
    void ttDeltasOnBertProjections() {
        AdapterLayout l = AdapterLayout.of(ModelConfig.robertaBase(2),
                AdapterConfig.tt().withTtProjections(List.of("value", "q_proj", "output.dense")));
        TtLayerSpec query = l.ttLayer("encoder.layer.3.attention.self.query.tt_delta");
        assertEquals(768, query.in());
        assertEquals(768, query.out());
        // 768x768 -> [8,8,12,12,8,8]: 40 + 200 + 300 + 300 + 200 + 40 = 1,080
        assertArrayEquals(new int[] {8, 8, 12, 12, 8, 8}, query.shape().modes());
        TtLayerSpec out = l.ttLayer("encoder.layer.3.output.dense.tt_delta");
        assertEquals(3072, out.in());
        assertEquals(768, out.out());
        List<String> layer0 = l.ttLayers().stream().map(TtLayerSpec::name).filter(n -> n.startsWith("encoder.layer.0."))
                .toList();
        assertEquals(List.of("encoder.layer.0.attention.self.query.tt_delta", "encoder.layer.0.attention.self.value.tt_delta",
                "encoder.layer.0.attention.output.adapter.down", "encoder.layer.0.attention.output.adapter.up",
                "encoder.layer.0.output.dense.tt_delta", "encoder.layer.0.output.adapter.down",
                "encoder.layer.0.output.adapter.up"), layer0);
        AdapterLayout plain = AdapterLayout.of(ModelConfig.robertaBase(2), AdapterConfig.tt());
        assertEquals(plain.parameterCount() + 12L * (2 * 1_080 + out.shape().parameterCount()), l.parameterCount());
    }

    @Test
    void unknownProjectionsAreNamedWithTheirIndexAndTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterLayout.of(
                ModelConfig.llama2_7b(), AdapterConfig.tt().withTtProjections(List.of("q_proj", "foo"))));
        assertEquals("ttProjections[1]: unknown projection 'foo' for a LLAMA model; known: [q_proj, k_proj, v_proj,"
                + " o_proj, gate_proj, up_proj, down_proj]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterLayout.of(
                ModelConfig.robertaBase(2), AdapterConfig.lora(8, List.of("gate_proj"))));
        assertEquals("loraTargets[0]: unknown projection 'gate_proj' for a BERT model; known: [query, key, value,"
                + " attention.output.dense, intermediate.dense, output.dense]", e.getMessage());
        assertEquals("q_proj", Projections.canonical(ModelConfig.Family.LLAMA, " Query ").orElseThrow());
        assertEquals("attention.output.dense", Projections.canonical(ModelConfig.Family.BERT, "o_proj").orElseThrow());
        assertTrue(Projections.canonical(ModelConfig.Family.BERT, "gate_proj").isEmpty());
        // LoRA and TT deltas resolve through the same table
        assertEquals(List.of("self_attn.q_proj", "self_attn.v_proj"), Projections.resolve(ModelConfig.llama2_7b(),
                List.of("v", "q_proj", "query"), "loraTargets").stream().map(Projections.Projection::path).toList());
    }

    @Test
    void deltaModesCanBeOverriddenAndMustFitEveryDelta() {
        AdapterConfig cfg = AdapterConfig.tt().withTtProjections(List.of("q_proj"))
                .withModes(Map.of("delta", List.of(16, 16, 16, 16, 16, 16)));
        AdapterLayout l = AdapterLayout.of(ModelConfig.llama2_7b(), cfg);
        assertArrayEquals(new int[] {16, 16, 16, 16, 16, 16},
                l.ttLayer("model.layers.0.self_attn.q_proj.tt_delta").shape().modes());
        // the adapters keep their own modes
        assertArrayEquals(new int[] {16, 16, 16, 4, 4, 4},
                l.ttLayer("model.layers.0.mlp.gate_proj.input_adapter.down").shape().modes());
        // k_proj of Llama-3-8B is 4096x1024: the same list does not fit it
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterLayout.of(
                ModelConfig.llama3_8b(), cfg.withTtProjections(List.of("q_proj", "k_proj"))));
        assertTrue(e.getMessage().startsWith("modes.delta for model.layers.0.self_attn.k_proj.tt_delta"), e.getMessage());
    }

    @Test
    void deltasStartAtZeroUnderIdentityInitAndRandomUnderLoretta() {
        ModelConfig m = tiny(false, true);
        AdapterConfig cfg = AdapterConfig.tt(3, 8).withTtProjections(List.of("q_proj", "v_proj"));
        AdapterLayout l = AdapterLayout.of(m, cfg);
        AdapterState s = AdapterInitializer.initialize(l, 4);
        l.check(s, true);
        for (TtLayerSpec d : l.ttLayers()) {
            if (d.kind() != TtLayerSpec.Kind.DELTA) {
                continue;
            }
            assertEquals(0.0, norm(s, d), d.name());
            assertTrue(s.get(d.coreName(0)).data()[0] != 0f, d.name());
        }
        AdapterLayout loretta = AdapterLayout.of(m, cfg.withInit(AdapterConfig.Init.LORETTA));
        AdapterState r = AdapterInitializer.initialize(loretta, 4);
        assertTrue(norm(r, loretta.ttLayer("model.layers.1.self_attn.v_proj.tt_delta")) > 0);
        assertEquals(32, loretta.ttLayer("model.layers.1.self_attn.v_proj.tt_delta").out());
    }

    @Test
    void fedTtPlusFreezesDeltaCoresLikeAdapterCores() {
        AdapterLayout l = AdapterLayout.of(tiny(false, false),
                AdapterConfig.tt(3, 8).withTtProjections(List.of("q_proj", "k_proj")));
        String delta = "model.layers.0.self_attn.k_proj.tt_delta";
        TtLayerSpec d = l.ttLayer(delta);
        // fixed default: the zero-initialized core of a layer that has one (up projections, deltas)
        FreezingPolicy fixed = FreezingPolicies.create("fixed", null, l, 0);
        MaskSummary s = MaskSummary.of(l, fixed.maskFor(1, List.of()));
        assertEquals(List.of(d.zeroInitCore()), s.coresByLayer().get(delta));
        for (String name : FreezingPolicies.NAMES) {
            FreezingPolicy p = FreezingPolicies.create(name, FreezingConfig.defaults(), l, 1);
            List<Map<String, Double>> hist = new ArrayList<>();
            for (int r = 1; r <= 7; r++) {
                TrainableMask m = p.maskFor(r, hist);
                for (TensorSpec t : l.tensors()) {
                    if (!t.isTtCore()) {
                        assertTrue(m.isTrainable(t.name()), name + " round " + r + " froze " + t.name());
                    }
                }
                Map<String, Double> e = new HashMap<>();
                m.trainable().forEach(n -> e.put(n, 1.0 + (n.hashCode() & 7)));
                hist.add(e);
            }
        }
    }

    private static double norm(AdapterState s, TtLayerSpec l) {
        List<Tensor> cores = new ArrayList<>();
        for (String c : l.coreNames()) {
            cores.add(s.get(c));
        }
        double n = 0;
        for (float v : TtMatrix.reconstruct(cores, l.in(), l.out()).data()) {
            n += v * v;
        }
        return n;
    }
}
