package io.fedtt.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.core.tt.TtMatrix;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdapterInitializerTest {

    private static final AdapterLayout TT = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt().withHead(AdapterConfig.Head.TT));

    @Test
    void deterministicPerSeed() {
        AdapterState a = AdapterInitializer.initialize(TT, 7);
        assertEquals(a, AdapterInitializer.initialize(TT, 7));
        assertNotEquals(a.get("encoder.layer.0.output.adapter.down.cores.2"),
                AdapterInitializer.initialize(TT, 8).get("encoder.layer.0.output.adapter.down.cores.2"));
        TT.check(a, true);
        assertEquals(TT.parameterCount(), a.parameterCount());
        assertEquals("identity", a.metadata().get(AdapterInitializer.SCHEME));
        assertEquals("7", a.metadata().get(AdapterInitializer.SEED));
    }

    @Test
    void identityAtStartMakesEveryAdapterZeroAndEveryDownLayerRandom() {
        AdapterState s = AdapterInitializer.initialize(TT, 3);
        for (TtLayerSpec l : TT.ttLayers()) {
            Tensor w = TtMatrix.reconstruct(cores(s, l), l.in(), l.out());
            double norm = 0;
            for (float v : w.data()) {
                norm += v * v;
            }
            if (l.kind() == TtLayerSpec.Kind.UP) {
                assertEquals(0.0, norm, l.name());
            } else {
                assertTrue(norm > 0, l.name());
            }
        }
        for (String bias : List.of("encoder.layer.0.output.adapter.down.bias", "encoder.layer.5.attention.output.adapter.up.bias",
                "classifier.dense.bias", "classifier.out_proj.bias")) {
            for (float v : s.get(bias).data()) {
                assertEquals(0f, v, bias);
            }
        }
    }

    @Test
    void lorettaInitHasNoZeroCore() {
        AdapterLayout l = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt().withHead(AdapterConfig.Head.TT).withInit(AdapterConfig.Init.LORETTA));
        AdapterState s = AdapterInitializer.initialize(l, 3);
        assertTrue(l.zeroInitializedCores().isEmpty());
        TtLayerSpec up = l.ttLayer("encoder.layer.0.output.adapter.up");
        float[] w = TtMatrix.reconstruct(cores(s, up), up.in(), up.out()).data();
        double sq = 0;
        for (float v : w) {
            sq += v * v;
        }
        assertTrue(sq / w.length > 0.1 / (64 + 384), "entry variance " + sq / w.length);
        assertEquals("loretta", s.metadata().get(AdapterInitializer.SCHEME));
    }

    @Test
    void normsStartAsZeroOffsetsFromThePretrainedValues() {
        AdapterState s = AdapterInitializer.initialize(TT, 1);
        List<String> fromBase = AdapterInitializer.baseOffsets(s);
        assertEquals(TT.baseCopiedNames(), fromBase);
        assertEquals(2 + 6 * 4, fromBase.size());
        assertTrue(fromBase.contains("embeddings.LayerNorm.weight"));
        for (float v : s.get("encoder.layer.2.output.LayerNorm.weight").data()) {
            assertEquals(0f, v);
        }
        for (float v : s.get("encoder.layer.2.output.LayerNorm.bias").data()) {
            assertEquals(0f, v);
        }
        AdapterLayout llama = AdapterLayout.of(ModelConfig.llama(64, 2, 128, 4, 4, 100, 64, false, false),
                AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
        AdapterState ls = AdapterInitializer.initialize(llama, 1);
        for (float v : ls.get("model.norm.weight").data()) {
            assertEquals(0f, v);
        }
    }

    @Test
    void headOutputProjectionIsSmallGaussian() {
        AdapterState s = AdapterInitializer.initialize(AdapterLayout.of(ModelConfig.robertaBase(8), AdapterConfig.tt().withHead(AdapterConfig.Head.TT)), 11);
        float[] w = s.get("classifier.out_proj.weight").data();
        double sum = 0;
        double sq = 0;
        for (float v : w) {
            sum += v;
            sq += v * v;
        }
        double mean = sum / w.length;
        double std = Math.sqrt(sq / w.length - mean * mean);
        assertEquals(0.02, std, 0.002);
        assertEquals(0.0, mean, 0.002);
    }

    @Test
    void loraAIsBoundedUniformAndBIsZero() {
        AdapterLayout l = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.lora(8, List.of("query", "value")));
        AdapterState s = AdapterInitializer.initialize(l, 5);
        float[] a = s.get("encoder.layer.0.attention.self.query.lora_A").data();
        double bound = 1 / Math.sqrt(384);
        double max = 0;
        for (float v : a) {
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max <= bound && max > 0.9 * bound, "max |A| " + max);
        for (float v : s.get("encoder.layer.0.attention.self.value.lora_B").data()) {
            assertEquals(0f, v);
        }
        assertEquals("lora", s.metadata().get(AdapterInitializer.SCHEME));
        assertTrue(AdapterInitializer.baseOffsets(s).isEmpty());
        float[] dense = s.get("classifier.dense.weight").data();
        assertTrue(dense[0] != 0f && Math.abs(dense[0]) < 0.2);
    }

    @Test
    void fullFineTuningMarksEverythingFromBaseAndRefusesHugeModels() {
        ModelConfig tiny = ModelConfig.bert(32, 2, 64, 4, 50, 16, 2, 3);
        AdapterLayout l = AdapterLayout.of(tiny, AdapterConfig.full());
        AdapterState s = AdapterInitializer.initialize(l, 1);
        List<String> fromBase = AdapterInitializer.baseOffsets(s);
        assertEquals(l.tensors().size() - 4, fromBase.size());
        assertTrue(!fromBase.contains("classifier.out_proj.weight"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdapterInitializer.initialize(AdapterLayout.of(ModelConfig.llama2_7b(), AdapterConfig.full()), 1));
        assertTrue(e.getMessage().contains("6738415616"), e.getMessage());
    }

    private static List<Tensor> cores(AdapterState s, TtLayerSpec l) {
        List<Tensor> out = new ArrayList<>();
        for (String n : l.coreNames()) {
            out.add(s.get(n));
        }
        return out;
    }
}
