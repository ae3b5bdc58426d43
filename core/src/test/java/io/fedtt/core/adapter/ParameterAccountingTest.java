package io.fedtt.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fedtt.core.tensor.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParameterAccountingTest {

    private static final List<String> QV = List.of("query", "value");

    @Test
    void referenceCounts() {
        ParameterCount tt = ParameterAccounting.tt(ModelConfig.robertaBase(2), AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
        assertEquals(99_194L, tt.parameters());
        assertEquals(396_776L, tt.bytes(DType.F32));
        assertEquals(198_388L, tt.bytes(DType.BF16));
        assertEquals(37_440L, tt.count(Role.TT_CORE));
        assertEquals(876_800L, ParameterAccounting.tt(ModelConfig.llama2_7b(), AdapterConfig.tt().withHead(AdapterConfig.Head.TT)).parameters());
        assertEquals(294_912L, ParameterAccounting.lora(ModelConfig.robertaBase(2), 8, QV, false).parameters());
        assertEquals(887_042L, ParameterAccounting.lora(ModelConfig.robertaBase(2), 8, QV, true).parameters());
        assertEquals(4_194_304L, ParameterAccounting.lora(ModelConfig.llama2_7b(), 8, List.of("q_proj", "v_proj"), true).parameters());
    }

    @Test
    void fullFineTuningCountsMatchTheKnownModels() {
        // RobertaForSequenceClassification(roberta-base, 2 labels) has 124,647,170 parameters
        assertEquals(124_647_170L, ParameterAccounting.full(ModelConfig.robertaBase(2)).parameters());
        // Llama-2-7b (with lm_head) has 6,738,415,616
        assertEquals(6_738_415_616L, ParameterAccounting.full(ModelConfig.llama2_7b()).parameters());
        // all-MiniLM-L6-v2 is 22,713,216 with its pooler (384x384 + 384 = 147,840); ours replaces the
        // pooler with the classifier head: 384x384 + 384 + 2x384 + 2 = 148,610
        assertEquals(22_713_216L - 147_840L + 148_610L, ParameterAccounting.full(ModelConfig.allMiniLmL6V2(2)).parameters());
    }

    @Test
    void miniLmComparison() {
        ModelConfig m = ModelConfig.allMiniLmL6V2(2);
        ParameterCount tt = ParameterAccounting.tt(m, AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
        ParameterCount lora = ParameterAccounting.lora(m, 8, QV, true);
        ParameterCount loraNoHead = ParameterAccounting.lora(m, 8, QV, false);
        ParameterCount full = ParameterAccounting.full(m);
        System.out.printf("MiniLM-L6 (2 labels): TT r=5 %d (%s), LoRA r=8 q,v %d (+head %d), full %d%n",
                tt.parameters(), tt.byRole(), loraNoHead.parameters(), lora.parameters(), full.parameters());
        assertEquals(33_454L, tt.parameters());
        // 6 layers x 2 x (8x384 + 384x8)
        assertEquals(73_728L, loraNoHead.parameters());
        assertEquals(73_728L + 148_610L, lora.parameters());
    }

    @Test
    void bytesPerRound() {
        assertEquals(99_194L * 4 * (3 + 3), ParameterAccounting.bytesPerRound(99_194L, DType.F32, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> ParameterAccounting.bytesPerRound(1, DType.F32, -1, 0));
        assertThrows(IllegalArgumentException.class,
                () -> ParameterAccounting.tt(ModelConfig.robertaBase(2), AdapterConfig.full()));
    }
}
