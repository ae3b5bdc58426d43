package io.fedtt.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LabelPriorTest {

    @Test
    void offsetsAreTauTimesTheLogOfTheSmoothedFrequencies() {
        float[] o = LabelPrior.logitOffsets(new int[] {48, 0, 2}, 0.5);
        assertEquals(0.5 * Math.log(49.0 / 53), o[0], 1e-6);
        assertEquals(0.5 * Math.log(1.0 / 53), o[1], 1e-6);
        assertEquals(0.5 * Math.log(3.0 / 53), o[2], 1e-6);
    }

    @Test
    void balancedCountsShiftEveryLogitAlikeSoNothingChanges() {
        float[] o = LabelPrior.logitOffsets(new int[] {7, 7, 7, 7}, 1);
        for (float v : o) {
            assertEquals(o[0], v, 0f);
        }
    }

    @Test
    void anAbsentClassIsFiniteAndLowest() {
        float[] o = LabelPrior.logitOffsets(new int[] {50, 0}, 1);
        assertTrue(Float.isFinite(o[1]) && o[1] < o[0]);
    }

    @Test
    void tauZeroIsOffAndBadInputIsRefused() {
        assertArrayEquals(new float[3], LabelPrior.logitOffsets(new int[] {1, 2, 3}, 0));
        assertThrows(IllegalArgumentException.class, () -> LabelPrior.logitOffsets(new int[] {1}, -1));
        assertThrows(IllegalArgumentException.class, () -> LabelPrior.logitOffsets(new int[] {1}, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> LabelPrior.logitOffsets(new int[] {-1, 2}, 1));
    }
}
