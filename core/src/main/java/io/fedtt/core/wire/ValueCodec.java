package io.fedtt.core.wire;

import io.fedtt.core.tensor.HalfPrecision;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * One tensor's values in an {@link Encoding}, as pure functions over a little-endian buffer.
 *
 * <p>int8: the values are cut into blocks of {@link Encoding#INT8_BLOCK}; each block is written as
 * its absolute maximum {@code a} (float32) followed by one signed byte per value,
 * {@code q = round(x * 127 / a)} in [-127, 127]. Decoding is {@code (float) (q * (double) a / 127)}:
 * the block's largest value and 0 come back exactly (so an untouched offset stays zero)
 * and no decoded value can exceed {@code a}, so decoding never overflows. Rounding is to nearest
 * for downloads and stochastic ({@code floor(y + u)}, u uniform in [0, 1)) for uploads: unbiased,
 * {@code E[decode(q)] = x}, which together with the client's error feedback keeps the sum of what
 * a client sends tracking the sum of its true updates.
 */
public final class ValueCodec {

    private ValueCodec() {
    }

    /** Bytes a tensor of {@code n} values takes in {@code e}. */
    public static int bytes(Encoding e, int n) {
        return Math.toIntExact(e.bytesFor(n));
    }

    /**
     * Writes {@code values} to {@code out}.
     *
     * @param random for int8's stochastic rounding; null rounds to nearest
     * @throws IllegalArgumentException when a value is not finite (naming its index)
     */
    public static void encode(float[] values, Encoding e, SplittableRandom random, ByteBuffer out) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("element " + i + " is " + values[i] + ": only finite values travel");
            }
        }
        switch (e) {
            case FLOAT32 -> {
                for (float v : values) {
                    out.putFloat(v);
                }
            }
            case FLOAT16 -> {
                for (float v : values) {
                    out.putShort(HalfPrecision.toF16(saturate(v, HalfPrecision.F16_MAX)));
                }
            }
            case BFLOAT16 -> {
                for (float v : values) {
                    short b = HalfPrecision.toBf16(v);
                    // the largest floats round up to infinity in bfloat16: keep the largest finite instead
                    out.putShort(HalfPrecision.isNonFinite(b, io.fedtt.core.tensor.DType.BF16)
                            ? (short) (b & 0x8000 | 0x7F7F) : b);
                }
            }
            case INT8 -> encodeInt8(values, random, out);
        }
    }

    private static float saturate(float v, float max) {
        return v > max ? max : v < -max ? -max : v;
    }

    private static void encodeInt8(float[] values, SplittableRandom random, ByteBuffer out) {
        int block = Encoding.INT8_BLOCK;
        for (int from = 0; from < values.length; from += block) {
            int to = Math.min(values.length, from + block);
            float a = 0;
            for (int i = from; i < to; i++) {
                a = Math.max(a, Math.abs(values[i]));
            }
            out.putFloat(a);
            for (int i = from; i < to; i++) {
                out.put(quantize(values[i], a, random));
            }
        }
    }

    /** One value as int8 against block maximum {@code a}; stochastic when {@code random} is given. */
    static byte quantize(float x, float a, SplittableRandom random) {
        if (a == 0) {
            return 0;
        }
        double y = x * 127.0 / a; // in [-127, 127]: |x| <= a
        double q = random == null ? Math.rint(y) : Math.floor(y + random.nextDouble());
        return (byte) Math.max(-127, Math.min(127, q));
    }

    /** The value int8 {@code q} stands for in a block of maximum {@code a}. */
    static float dequantize(int q, float a) {
        return (float) (q * (double) a / 127.0);
    }

    /**
     * Reads {@code n} values from {@code in}.
     *
     * @throws IllegalArgumentException when a stored value or scale is not finite or out of range,
     *     naming the element
     */
    public static float[] decode(ByteBuffer in, int n, Encoding e) {
        float[] out = new float[n];
        switch (e) {
            case FLOAT32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = in.getFloat();
                }
            }
            case FLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfPrecision.fromF16(in.getShort());
                }
            }
            case BFLOAT16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfPrecision.fromBf16(in.getShort());
                }
            }
            case INT8 -> {
                int block = Encoding.INT8_BLOCK;
                for (int from = 0; from < n; from += block) {
                    int to = Math.min(n, from + block);
                    float a = in.getFloat();
                    if (!(a >= 0) || Float.isInfinite(a)) {
                        throw new IllegalArgumentException("the int8 scale of elements " + from + ".." + (to - 1)
                                + " is " + a + " (must be finite and >= 0)");
                    }
                    for (int i = from; i < to; i++) {
                        byte q = in.get();
                        if (q == Byte.MIN_VALUE) {
                            throw new IllegalArgumentException("element " + i + " is int8 -128 (the range is -127..127)");
                        }
                        out[i] = dequantize(q, a);
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(out[i])) {
                throw new IllegalArgumentException("element " + i + " is " + out[i] + " (must be finite)");
            }
        }
        return out;
    }
}
