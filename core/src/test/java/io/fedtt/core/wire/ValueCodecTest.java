package io.fedtt.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.tensor.HalfPrecision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ValueCodecTest {

    private static float[] roundTrip(float[] v, Encoding e, SplittableRandom random) {
        ByteBuffer b = ByteBuffer.allocate(ValueCodec.bytes(e, v.length)).order(ByteOrder.LITTLE_ENDIAN);
        ValueCodec.encode(v, e, random, b);
        assertEquals(b.capacity(), b.position(), "the size formula matches what is written");
        b.flip();
        float[] out = ValueCodec.decode(b, v.length, e);
        assertEquals(0, b.remaining());
        return out;
    }

    private static float[] ramp(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * (float) Math.sin(i * 0.7 + 0.3);
        }
        return v;
    }

    @Test
    void float32IsExactIncludingEdgeValues() {
        float[] v = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
            1f, -1e-30f, 3.14159f};
        float[] out = roundTrip(v, Encoding.FLOAT32, null);
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(out[i]), "element " + i);
        }
    }

    @Test
    void sixteenBitEncodingsRoundToNearestAndSaturateAtTheirLargestFiniteValue() {
        float[] v = {1f, -2.5f, 1e-3f, 0x1p-24f, 1e-9f, 70000f, -Float.MAX_VALUE, Float.MAX_VALUE};
        float[] f16 = roundTrip(v, Encoding.FLOAT16, null);
        for (int i = 0; i < 5; i++) {
            assertEquals(HalfPrecision.fromF16(HalfPrecision.toF16(v[i])), f16[i], "element " + i);
        }
        assertEquals(0x1p-24f, f16[3], "the smallest F16 subnormal survives");
        assertEquals(0f, f16[4], "below half the smallest subnormal: zero");
        assertEquals(HalfPrecision.F16_MAX, f16[5]);
        assertEquals(-HalfPrecision.F16_MAX, f16[6]);
        assertEquals(HalfPrecision.F16_MAX, f16[7]);
        float[] bf16 = roundTrip(v, Encoding.BFLOAT16, null);
        float bf16Max = HalfPrecision.fromBf16((short) 0x7F7F);
        assertEquals(bf16Max, bf16[7], "Float.MAX_VALUE would round up to infinity: saturates");
        assertEquals(-bf16Max, bf16[6]);
        assertEquals(70000f, bf16[5], 70000f / 128);
        for (float f : bf16) {
            assertTrue(Float.isFinite(f));
        }
    }

    @Test
    void int8RoundsToNearestWithinHalfAStepAndKeepsTheBlockMaximumZeroAndOnesExact() {
        float[] v = ramp(300, 0.05f); // three blocks: 128, 128, 44
        float[] out = roundTrip(v, Encoding.INT8, null);
        for (int from = 0; from < v.length; from += Encoding.INT8_BLOCK) {
            int to = Math.min(v.length, from + Encoding.INT8_BLOCK);
            float a = 0;
            for (int i = from; i < to; i++) {
                a = Math.max(a, Math.abs(v[i]));
            }
            for (int i = from; i < to; i++) {
                assertTrue(Math.abs(out[i] - v[i]) <= a / 254 * 1.0001f, "element " + i + ": " + v[i] + " -> " + out[i]);
                if (Math.abs(v[i]) == a) {
                    assertEquals(v[i], out[i], "the block's largest magnitude is exact");
                }
            }
        }
        float[] ones = new float[200];
        java.util.Arrays.fill(ones, 1f);
        assertArrayEquals(ones, roundTrip(ones, Encoding.INT8, null), "a LayerNorm placeholder of ones stays ones");
        assertArrayEquals(new float[130], roundTrip(new float[130], Encoding.INT8, new SplittableRandom(1)));
    }

    @Test
    void int8HandlesSubnormalsAndTheLargestFloatsWithoutOverflow() {
        float[] tiny = {Float.MIN_VALUE, -Float.MIN_VALUE, 0f, 3 * Float.MIN_VALUE};
        float[] t = roundTrip(tiny, Encoding.INT8, null);
        for (int i = 0; i < tiny.length; i++) {
            assertTrue(Float.isFinite(t[i]) && Math.abs(t[i] - tiny[i]) <= 3 * Float.MIN_VALUE, "element " + i);
        }
        assertEquals(3 * Float.MIN_VALUE, t[3], "the block maximum is exact even as a subnormal");
        float[] huge = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE / 3, 1f};
        float[] h = roundTrip(huge, Encoding.INT8, new SplittableRandom(7));
        assertEquals(Float.MAX_VALUE, h[0]);
        assertEquals(-Float.MAX_VALUE, h[1]);
        for (float f : h) {
            assertTrue(Float.isFinite(f));
        }
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void nonFiniteValuesAreRefusedWhenEncodingNamingTheElement(Encoding e) {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] v = {1f, 2f, bad};
            ByteBuffer b = ByteBuffer.allocate(ValueCodec.bytes(e, 3)).order(ByteOrder.LITTLE_ENDIAN);
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class, () -> ValueCodec.encode(v, e, null, b));
            assertTrue(x.getMessage().contains("element 2"), x.getMessage());
        }
    }

    @Test
    void nonFiniteOrOutOfRangeStoredValuesAreRefusedWhenDecoding() {
        ByteBuffer f32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(Float.NaN).flip();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ValueCodec.decode(f32, 2, Encoding.FLOAT32))
                .getMessage().contains("element 1"));
        ByteBuffer f16 = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x7C00).flip();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ValueCodec.decode(f16, 1, Encoding.FLOAT16))
                .getMessage().contains("Infinity"));
        ByteBuffer bf16 = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x7FC0).flip();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ValueCodec.decode(bf16, 1, Encoding.BFLOAT16))
                .getMessage().contains("NaN"));
        for (float scale : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -1f}) {
            ByteBuffer i8 = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN).putFloat(scale).put((byte) 3).flip();
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ValueCodec.decode(i8, 1, Encoding.INT8))
                    .getMessage().contains("scale"));
        }
        ByteBuffer min = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).put((byte) 1)
                .put(Byte.MIN_VALUE).flip();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ValueCodec.decode(min, 2, Encoding.INT8))
                .getMessage().contains("element 1"));
    }

    @Test
    void int8StochasticRoundingIsUnbiased() {
        // One block: the maximum 1.0 fixes the step at 1/127; x sits 30% of a step above a grid point.
        float x = (float) ((40 + 0.3) / 127.0);
        SplittableRandom random = new SplittableRandom(42);
        int n = 200_000;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += ValueCodec.dequantize(ValueCodec.quantize(x, 1f, random), 1f);
        }
        double mean = sum / n;
        // the rounding's standard deviation is sqrt(0.3 * 0.7) / 127 ~ 0.0036; its mean's 0.0036 / sqrt(n) ~ 8e-6
        assertEquals(x, mean, 5e-5, "the mean of many stochastic roundings is the value itself");
        double nearest = ValueCodec.dequantize(ValueCodec.quantize(x, 1f, null), 1f);
        assertTrue(Math.abs(nearest - x) > 2e-3, "round to nearest is biased by 0.3 of a step, for comparison");
    }

    @Test
    void bytesForCountsInt8ScalesPerBlock() {
        assertEquals(400, Encoding.FLOAT32.bytesFor(100));
        assertEquals(200, Encoding.FLOAT16.bytesFor(100));
        assertEquals(200, Encoding.BFLOAT16.bytesFor(100));
        assertEquals(100 + 4, Encoding.INT8.bytesFor(100));
        assertEquals(256 + 8, Encoding.INT8.bytesFor(256));
        assertEquals(257 + 12, Encoding.INT8.bytesFor(257));
        assertEquals(Encoding.INT8, Encoding.parse(" INT8 "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Encoding.parse("int4")).getMessage()
                .contains("float32, float16, bfloat16 or int8"));
    }
}
