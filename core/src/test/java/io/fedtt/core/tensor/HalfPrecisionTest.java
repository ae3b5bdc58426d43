package io.fedtt.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfPrecisionTest {

    private static int f16(float f) {
        return HalfPrecision.toF16(f) & 0xFFFF;
    }

    private static int bf16(float f) {
        return HalfPrecision.toBf16(f) & 0xFFFF;
    }

    @Test
    void f16KnownBitPatterns() {
        assertEquals(0x3C00, f16(1.0f));
        assertEquals(0xC100, f16(-2.5f));
        assertEquals(0x7BFF, f16(65504f));
        assertEquals(0x7BFF, f16(65519f), "just under the midpoint to infinity rounds down");
        assertEquals(0x7C00, f16(65520f), "the midpoint ties to even, which is infinity");
        assertEquals(0x0000, f16(0f));
        assertEquals(0x8000, f16(-0f));
        assertEquals(0x0400, f16(0x1p-14f), "smallest normal");
        assertEquals(0x03FF, f16(1023 * 0x1p-24f), "largest subnormal");
        assertEquals(0x0001, f16(0x1p-24f), "smallest subnormal");
        assertEquals(0x0000, f16(0x1p-25f), "half the smallest subnormal ties to even zero");
        assertEquals(0x0001, f16(Math.nextUp(0x1p-25f)), "just above half rounds up");
        assertEquals(0x0002, f16(3 * 0x1p-25f), "1.5 subnormal steps tie to even 2");
        assertEquals(0x3C00, f16(1f + 0x1p-11f), "tie between 1 and 1+2^-10 goes to even");
        assertEquals(0x3C02, f16(1f + 3 * 0x1p-11f), "tie between odd and even goes to even");
        assertEquals(0x3C01, f16(Math.nextUp(1f + 0x1p-11f)));
        assertEquals(0x7C00, f16(Float.POSITIVE_INFINITY));
        assertEquals(0xFC00, f16(Float.NEGATIVE_INFINITY));
        assertEquals(0x7E00, f16(Float.NaN));
        assertEquals(0x0000, f16(Float.MIN_VALUE), "float subnormals are far below F16's range");
    }

    @Test
    void f16WideningIsExactForEveryPattern() {
        float[] table = HalfPrecision.f16Table();
        for (int h = 0; h < 0x10000; h++) {
            float f = HalfPrecision.fromF16((short) h);
            assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(table[h]), "decoding table");
            if (Float.isNaN(f)) {
                assertTrue((h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0, "NaN only from NaN patterns");
                assertTrue(Float.isNaN(HalfPrecision.fromF16(HalfPrecision.toF16(f))));
            } else {
                assertEquals(h, f16(f), "round trip of 0x" + Integer.toHexString(h));
            }
        }
        assertEquals(1.0f, HalfPrecision.fromF16((short) 0x3C00));
        assertEquals(-2.5f, HalfPrecision.fromF16((short) 0xC100));
        assertEquals(0x1p-24f, HalfPrecision.fromF16((short) 0x0001));
        assertEquals(-0f, HalfPrecision.fromF16((short) 0x8000));
    }

    @Test
    void f16NarrowingPicksTheNearestWithTiesToEven() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            // Random floats across F16's whole range, subnormals included.
            float f = (float) (rnd.nextDouble(-1, 1) * Math.pow(2, rnd.nextInt(-26, 16)));
            int h = f16(f);
            double got = HalfPrecision.fromF16((short) h);
            assertTrue(Double.isFinite(got), "finite in range: " + f);
            double err = Math.abs(f - got);
            for (int neighbour : new int[] {h - 1, h + 1}) {
                if ((neighbour & 0x7FFF) >= 0x7C00 || ((neighbour ^ h) & 0x8000) != 0) {
                    continue; // past infinity or across the sign: not a candidate
                }
                double other = Math.abs(f - HalfPrecision.fromF16((short) neighbour));
                assertTrue(err < other || (err == other && (h & 1) == 0),
                        f + " -> 0x" + Integer.toHexString(h) + " but 0x" + Integer.toHexString(neighbour) + " is nearer");
            }
        }
    }

    @Test
    void bf16KnownBitPatternsAndTies() {
        assertEquals(0x3F80, bf16(1.0f));
        assertEquals(0xC020, bf16(-2.5f));
        assertEquals(0x3F80, bf16(Float.intBitsToFloat(0x3F80_8000)), "tie to even (down)");
        assertEquals(0x3F82, bf16(Float.intBitsToFloat(0x3F81_8000)), "tie to even (up)");
        assertEquals(0x3F81, bf16(Float.intBitsToFloat(0x3F80_8001)));
        assertEquals(0x7F80, bf16(Float.MAX_VALUE), "rounds up to infinity");
        assertEquals(0x7F80, bf16(Float.POSITIVE_INFINITY));
        assertEquals(0x7FC0, bf16(Float.intBitsToFloat(0x7F80_0001)), "a NaN with a low payload stays NaN");
        assertEquals(0x0001, bf16(Float.intBitsToFloat(0x0000_8001)), "subnormals round like normals");
        for (int b = 0; b < 0x10000; b++) {
            float f = HalfPrecision.fromBf16((short) b);
            assertEquals(b << 16, Float.floatToRawIntBits(f), "widening is a shift");
            if (!Float.isNaN(f)) {
                assertEquals(b, bf16(f));
            }
        }
    }

    @Test
    void nonFiniteDetection() {
        assertTrue(HalfPrecision.isNonFinite((short) 0x7C00, DType.F16));
        assertTrue(HalfPrecision.isNonFinite((short) 0xFE00, DType.F16));
        assertTrue(!HalfPrecision.isNonFinite((short) 0x7BFF, DType.F16));
        assertTrue(HalfPrecision.isNonFinite((short) 0xFF80, DType.BF16));
        assertTrue(!HalfPrecision.isNonFinite((short) 0x7F7F, DType.BF16));
    }
}
