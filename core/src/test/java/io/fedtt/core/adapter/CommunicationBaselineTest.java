package io.fedtt.core.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fedtt.core.tensor.DType;
import org.junit.jupiter.api.Test;

class CommunicationBaselineTest {

    /** The quickstart: built-in MiniLM, 2 labels, 3 silos x 8 rounds x (upload + download) = 48 transfers. */
    @Test
    void quickstartFiguresAsTheReadmeShowsThem() {
        CommunicationBaseline b = CommunicationBaseline.of(ModelConfig.allMiniLmL6V2(2));
        assertEquals(73_728L + 148_610L, b.loraParameters());
        assertEquals(22_713_986L, b.fullParameters());
        long transfers = 3 * 8 * 2;
        assertEquals(42_688_896L, b.loraBytes(transfers));       // README: 42.69 MB
        assertEquals(4_361_085_312L, b.fullBytes(transfers));    // README: 4361.1 MB
        assertEquals("42.69", String.format("%.2f", b.loraBytes(transfers) / 1e6));
        assertEquals("4361.1", String.format("%.1f", b.fullBytes(transfers) / 1e6));
    }

    @Test
    void sameAsParameterAccountingPerRound() {
        ModelConfig m = ModelConfig.robertaBase(2);
        CommunicationBaseline b = CommunicationBaseline.of(m);
        assertEquals(887_042L, b.loraParameters());
        assertEquals(124_647_170L, b.fullParameters());
        assertEquals(ParameterAccounting.bytesPerRound(887_042L, DType.F32, 3, 2), b.loraBytes(5));
        assertEquals(ParameterAccounting.bytesPerRound(124_647_170L, DType.F32, 3, 2), b.fullBytes(5));
        assertEquals(0L, b.loraBytes(0));
    }

    @Test
    void rejectsNegativeCounts() {
        assertThrows(IllegalArgumentException.class, () -> new CommunicationBaseline(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> CommunicationBaseline.of(ModelConfig.allMiniLmL6V2(2)).loraBytes(-1));
    }
}
