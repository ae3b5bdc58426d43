package io.fedtt.core.tt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ModeFactorizerTest {

    @Test
    void reproducesLorettasModeLists() {
        assertArrayEquals(new int[] {8, 8, 12, 8, 8}, ModeFactorizer.balanced(768, 64));
        assertArrayEquals(new int[] {8, 8, 12, 8, 8}, ModeFactorizer.balanced(64, 768));
        assertArrayEquals(new int[] {16, 16, 16, 4, 4, 4}, ModeFactorizer.balanced(4096, 64));
        assertArrayEquals(new int[] {8, 8, 12, 12, 8, 8}, ModeFactorizer.balanced(768, 768));
    }

    @Test
    void miniLmSizesAreDocumented() {
        assertArrayEquals(new int[] {6, 8, 8, 8, 8}, ModeFactorizer.balanced(384, 64));
        assertArrayEquals(new int[] {8, 8, 8, 8, 6}, ModeFactorizer.balanced(64, 384));
        assertArrayEquals(new int[] {6, 8, 8, 8, 8, 6}, ModeFactorizer.balanced(384, 384));
        assertArrayEquals(new int[] {8, 12, 16, 4, 4, 4}, ModeFactorizer.balanced(1536, 64));
    }

    @Test
    void everyAutomaticModeIsWithinBoundsAndMultipliesOut() {
        int[] sizes = {4, 8, 16, 32, 48, 64, 96, 128, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 5120, 8192};
        for (int in : sizes) {
            for (int out : sizes) {
                int[] m = ModeFactorizer.balanced(in, out);
                long p = 1;
                for (int k : m) {
                    assertTrue(k >= 4 && k <= 16, in + "x" + out + " gave mode " + k);
                    p *= k;
                }
                assertEquals((long) in * out, p, in + "x" + out);
            }
        }
    }

    @Test
    void smallSideFallsBackToTheWholeProduct() {
        // 2 cannot be factored on its own, 2*64 = 128 can: [8, 16]
        int[] m = ModeFactorizer.balanced(2, 64);
        long p = 1;
        for (int k : m) {
            assertTrue(k >= 4 && k <= 16);
            p *= k;
        }
        assertEquals(128, p);
    }

    @Test
    void impossibleSizesFailWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModeFactorizer.balanced(17, 64));
        assertTrue(e.getMessage().contains("17x64"), e.getMessage());
        assertTrue(e.getMessage().contains("2*2*2*2*2*2*17"), e.getMessage());
        assertTrue(e.getMessage().contains("between 4 and 16"), e.getMessage());
        // LLaMA-2-7B's intermediate size 11008 = 2^8 * 43 has no such factorization
        assertThrows(IllegalArgumentException.class, () -> ModeFactorizer.balanced(11008, 64));
        assertThrows(IllegalArgumentException.class, () -> ModeFactorizer.balanced(1, 2));
        assertThrows(IllegalArgumentException.class, () -> ModeFactorizer.balanced(0, 64));
    }

    @Test
    void factorPicksTheMostBalancedTuple() {
        assertArrayEquals(new int[] {8, 8, 12}, ModeFactorizer.factor(768, 3).orElseThrow());
        assertArrayEquals(new int[] {8, 8}, ModeFactorizer.factor(64, 2).orElseThrow());
        assertTrue(ModeFactorizer.factor(768, 2).isEmpty());
        assertTrue(ModeFactorizer.factor(22, 2).isEmpty());
    }

    @Test
    void overridesAreCheckedAgainstTheLayerSize() {
        assertArrayEquals(new int[] {4, 4, 4, 4, 4, 4, 4, 3}, ModeFactorizer.checkOverride(new int[] {4, 4, 4, 4, 4, 4, 4, 3}, 768, 64, "down"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModeFactorizer.checkOverride(new int[] {8, 8, 8}, 768, 64, "down"));
        assertTrue(e.getMessage().startsWith("down:"), e.getMessage());
        assertTrue(e.getMessage().contains("768x64"), e.getMessage());
    }
}
