package io.fedtt.core.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdapterLayoutTest {

    @Test
    void robertaBaseTtRank5MatchesFedttMd() {
        AdapterLayout l = AdapterLayout.of(ModelConfig.robertaBase(2), AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
        Map<Role, Long> c = l.countsByRole();
        assertEquals(37_440L, c.get(Role.TT_CORE));
        assertEquals(19_968L, c.get(Role.ADAPTER_BIAS));
        assertEquals(38_400L, c.get(Role.NORM));
        assertEquals(3_386L, c.get(Role.HEAD));
        assertEquals(99_194L, l.parameterCount());
        // 12 layers x 2 adapters x (down, up) + the head's dense layer
        assertEquals(49, l.ttLayers().size());
    }

    @Test
    void llama2_7bTtRank5MatchesFedttMd() {
        AdapterLayout l = AdapterLayout.of(ModelConfig.llama2_7b(), AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
        Map<Role, Long> c = l.countsByRole();
        assertEquals(211_200L, c.get(Role.TT_CORE));
        assertEquals(399_360L, c.get(Role.ADAPTER_BIAS));
        assertEquals(266_240L, c.get(Role.NORM));
        assertFalse(c.containsKey(Role.HEAD));
        assertEquals(876_800L, l.parameterCount());
        assertEquals(32 * 3 * 2, l.ttLayers().size());
        assertArrayEquals(new int[] {16, 16, 16, 4, 4, 4}, l.ttLayers().get(0).shape().modes());
    }

    @Test
    void loraRank8OnQueryAndValueOfRobertaBase() {
        AdapterLayout noHead = AdapterLayout.of(ModelConfig.robertaBase(0), AdapterConfig.lora(8, List.of("query", "value")));
        assertEquals(294_912L, noHead.parameterCount());
        assertEquals(147_456L, noHead.countsByRole().get(Role.LORA_A));
        AdapterLayout withHead = AdapterLayout.of(ModelConfig.robertaBase(2), AdapterConfig.lora(8, List.of("query", "value")));
        // PEFT trains the dense classification head too: 768x768 + 768 + 2x768 + 2
        assertEquals(592_130L, withHead.countsByRole().get(Role.HEAD));
        assertEquals(887_042L, withHead.parameterCount());
        AdapterLayout llama = AdapterLayout.of(ModelConfig.llama2_7b(), AdapterConfig.lora(8, List.of("q_proj", "v_proj")));
        assertEquals(4_194_304L, llama.parameterCount());
    }

    @Test
    void namesAndShapesAreTheAgreedOnes() {
        AdapterLayout l = AdapterLayout.of(ModelConfig.robertaBase(3), AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
        assertArrayEquals(new int[] {1, 8, 5}, l.spec("encoder.layer.0.attention.output.adapter.down.cores.0").shape());
        assertArrayEquals(new int[] {5, 8, 1}, l.spec("encoder.layer.11.output.adapter.up.cores.4").shape());
        assertArrayEquals(new int[] {64}, l.spec("encoder.layer.3.output.adapter.down.bias").shape());
        assertArrayEquals(new int[] {768}, l.spec("encoder.layer.3.attention.output.adapter.up.bias").shape());
        assertEquals(Role.NORM, l.spec("encoder.layer.5.attention.output.LayerNorm.weight").role());
        assertEquals(Role.NORM, l.spec("embeddings.LayerNorm.bias").role());
        assertArrayEquals(new int[] {3, 768}, l.spec("classifier.out_proj.weight").shape());
        assertArrayEquals(new int[] {3}, l.spec("classifier.out_proj.bias").shape());
        TensorSpec headCore = l.spec("classifier.dense.cores.5");
        assertEquals("classifier.dense", headCore.ttLayer());
        assertEquals(5, headCore.coreIndex());
        assertEquals(Role.HEAD, headCore.role());
        TtLayerSpec down = l.ttLayer("encoder.layer.0.output.adapter.down");
        assertEquals(768, down.in());
        assertEquals(64, down.out());
        TtLayerSpec up = l.ttLayer("encoder.layer.0.output.adapter.up");
        assertEquals(64, up.in());
        assertEquals(768, up.out());
        assertEquals(4, up.zeroInitCore());
        assertEquals(-1, down.zeroInitCore());
        assertArrayEquals(new int[] {8, 8, 12, 12, 8, 8}, l.ttLayer("classifier.dense").shape().modes());
        // the first tensors follow the model's order
        assertEquals("embeddings.LayerNorm.weight", l.tensors().get(0).name());
        assertEquals("encoder.layer.0.attention.output.adapter.down.cores.0", l.tensors().get(2).name());

        AdapterLayout lora = AdapterLayout.of(ModelConfig.robertaBase(2), AdapterConfig.lora(8, List.of("value", "query")));
        assertArrayEquals(new int[] {8, 768}, lora.spec("encoder.layer.0.attention.self.query.lora_A").shape());
        assertArrayEquals(new int[] {768, 8}, lora.spec("encoder.layer.0.attention.self.value.lora_B").shape());
        assertEquals("encoder.layer.0.attention.self.query.lora_A", lora.tensors().get(0).name());
        assertArrayEquals(new int[] {768, 768}, lora.spec("classifier.dense.weight").shape());

        AdapterLayout llama = AdapterLayout.of(ModelConfig.llama2_7b(), AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
        assertTrue(llama.contains("model.layers.0.mlp.gate_proj.input_adapter.down.cores.0"));
        assertTrue(llama.contains("model.layers.31.mlp.up_proj.input_adapter.up.bias"));
        assertTrue(llama.contains("model.layers.7.mlp.down_proj.output_adapter.up.cores.5"));
        assertTrue(llama.contains("model.layers.7.input_layernorm.weight"));
        assertTrue(llama.contains("model.layers.7.post_attention_layernorm.weight"));
        assertTrue(llama.contains("model.norm.weight"));
        AdapterLayout llamaLora = AdapterLayout.of(ModelConfig.llama2_7b(), AdapterConfig.lora(8, List.of("query", "value")));
        assertArrayEquals(new int[] {4096, 8}, llamaLora.spec("model.layers.0.self_attn.v_proj.lora_B").shape());
    }

    @Test
    void miniLmCounts() {
        AdapterLayout l = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
        Map<Role, Long> c = l.countsByRole();
        System.out.println("MiniLM-L6 TT r=5 b=64, 2 labels: " + c + " total " + l.parameterCount());
        // 384x64 -> [6,8,8,8,8]: 30+200+200+200+40 = 670 per projection, 4 projections x 6 layers
        assertEquals(16_080L, c.get(Role.TT_CORE));
        assertEquals(5_376L, c.get(Role.ADAPTER_BIAS));
        assertEquals(9_984L, c.get(Role.NORM));
        // head: 384x384 TT [6,8,8,8,8,6] = 860, bias 384, out_proj 2x384 + 2
        assertEquals(2_014L, c.get(Role.HEAD));
        assertEquals(33_454L, l.parameterCount());
    }

    @Test
    void modesOverrideIsUsedAndChecked() {
        AdapterConfig cfg = AdapterConfig.tt().withHead(AdapterConfig.Head.TT).withModes(Map.of("down", List.of(4, 4, 4, 12, 4, 4, 4), "up", List.of(16, 4, 12, 4, 4, 4)));
        AdapterLayout l = AdapterLayout.of(ModelConfig.robertaBase(2), cfg);
        assertArrayEquals(new int[] {4, 4, 4, 12, 4, 4, 4}, l.ttLayer("encoder.layer.0.output.adapter.down").shape().modes());
        assertArrayEquals(new int[] {16, 4, 12, 4, 4, 4}, l.ttLayer("encoder.layer.0.output.adapter.up").shape().modes());
        assertArrayEquals(new int[] {8, 8, 12, 12, 8, 8}, l.ttLayer("classifier.dense").shape().modes());

        AdapterConfig bad = AdapterConfig.tt().withHead(AdapterConfig.Head.TT).withModes(Map.of("up", List.of(8, 8, 8)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdapterLayout.of(ModelConfig.robertaBase(2), bad));
        assertTrue(e.getMessage().contains("modes.up") && e.getMessage().contains("64x768"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AdapterConfig.tt().withHead(AdapterConfig.Head.TT).withModes(Map.of("sideways", List.of(4))));
        assertTrue(e.getMessage().contains("sideways"), e.getMessage());
    }

    @Test
    void configErrorsNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdapterConfig.tt(0, 64));
        assertTrue(e.getMessage().contains("ttRank"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AdapterLayout.of(ModelConfig.robertaBase(2), AdapterConfig.lora(8, List.of("query", "gate_proj"))));
        assertTrue(e.getMessage().contains("gate_proj"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.bert(100, 2, 400, 12, 10, 10, 1, 2));
        assertTrue(e.getMessage().contains("numHeads"), e.getMessage());
    }

    @Test
    void layerNormsCanBeLeftFrozen() {
        AdapterLayout l = AdapterLayout.of(ModelConfig.robertaBase(2), AdapterConfig.tt().withHead(AdapterConfig.Head.TT).withTrainLayerNorm(false));
        assertFalse(l.countsByRole().containsKey(Role.NORM));
        assertEquals(99_194L - 38_400L, l.parameterCount());
        assertTrue(l.baseCopiedNames().isEmpty());
    }

    @Test
    void adapterBiasesCanBeLeftOutOfTheUpProjectionOrBoth() {
        AdapterConfig reference = AdapterConfig.tt().withHead(AdapterConfig.Head.TT);
        assertEquals(AdapterConfig.AdapterBias.BOTH, reference.adapterBias());
        ModelConfig roberta = ModelConfig.robertaBase(2);
        // 24 adapters: each up bias is 768 wide, each down bias 64
        AdapterLayout down = AdapterLayout.of(roberta, reference.withAdapterBias(AdapterConfig.AdapterBias.DOWN));
        assertEquals(99_194L - 24 * 768, down.parameterCount());
        assertEquals(24L * 64, down.countsByRole().get(Role.ADAPTER_BIAS));
        assertTrue(down.names().stream().noneMatch(n -> n.endsWith("adapter.up.bias")));
        assertTrue(down.ttLayers().stream().filter(t -> t.kind() == TtLayerSpec.Kind.DOWN).allMatch(TtLayerSpec::hasBias));
        AdapterLayout none = AdapterLayout.of(roberta, reference.withAdapterBias(AdapterConfig.AdapterBias.NONE));
        assertEquals(99_194L - 19_968L, none.parameterCount());
        assertFalse(none.countsByRole().containsKey(Role.ADAPTER_BIAS));
        // the TT head keeps its bias: it is the head's, not an adapter's
        assertTrue(none.contains("classifier.dense.bias"));
    }

    @Test
    void checkNamesTheBadTensor() {
        AdapterLayout l = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
        AdapterState s = AdapterInitializer.initialize(l, 1);
        l.check(s, true);
        l.check(s.select(n -> n.contains("cores.2")), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> l.check(s.select(n -> n.contains("cores.2")), true));
        assertTrue(e.getMessage().startsWith("missing tensor"), e.getMessage());
        AdapterState wrong = s.with(Map.of("classifier.out_proj.bias", Tensor.zeros(3)));
        e = assertThrows(IllegalArgumentException.class, () -> l.check(wrong, true));
        assertTrue(e.getMessage().contains("classifier.out_proj.bias") && e.getMessage().contains("[2]"), e.getMessage());
        AdapterState extra = s.with(Map.of("pooler.dense.weight", Tensor.zeros(1)));
        e = assertThrows(IllegalArgumentException.class, () -> l.check(extra, false));
        assertTrue(e.getMessage().contains("pooler.dense.weight"), e.getMessage());
    }

    @Test
    void headIsTheAdapterTypesDefaultOrTheOneAsked() {
        ModelConfig m = ModelConfig.allMiniLmL6V2(10);
        AdapterLayout linear = AdapterLayout.of(m, AdapterConfig.tt());
        assertEquals(AdapterConfig.Head.LINEAR, linear.adapter().head());
        assertEquals(List.of("classifier.out_proj.bias", "classifier.out_proj.weight"), headNames(linear));
        assertArrayEquals(new int[] {10, 384}, linear.spec("classifier.out_proj.weight").shape());

        AdapterLayout dense = AdapterLayout.of(m, AdapterConfig.lora(8, List.of("query", "value")));
        assertEquals(AdapterConfig.Head.DENSE, dense.adapter().head());
        assertEquals(List.of("classifier.dense.bias", "classifier.dense.weight", "classifier.out_proj.bias",
                "classifier.out_proj.weight"), headNames(dense));

        AdapterLayout tt = AdapterLayout.of(m, AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
        assertTrue(tt.ttLayers().stream().anyMatch(l -> l.name().equals("classifier.dense")));
        AdapterLayout loraLinear = AdapterLayout.of(m,
                AdapterConfig.lora(8, List.of("query", "value")).withHead(AdapterConfig.Head.LINEAR));
        assertEquals(headNames(linear), headNames(loraLinear));
        // The linear head is what the TT adapters add on top of their cores and norms, nothing more.
        assertEquals(10 * 384 + 10, linear.parameterCount()
                - AdapterLayout.of(ModelConfig.allMiniLmL6V2(0), AdapterConfig.tt()).parameterCount());
    }

    private static List<String> headNames(AdapterLayout l) {
        return l.tensors().stream().filter(t -> t.role() == Role.HEAD).map(TensorSpec::name).sorted().toList();
    }
}
