package io.fedtt.core.tensor;

/**
 * Bit-exact conversions between float32 and the two 16-bit wire formats, IEEE binary16 (F16) and
 * bfloat16 (BF16). Narrowing rounds to nearest, ties to even; widening is exact. Java 17 has no
 * {@code Float.floatToFloat16}, hence this class.
 */
public final class HalfPrecision {

    /** Largest finite F16 value. */
    public static final float F16_MAX = 65504f;

    private HalfPrecision() {
    }

    /** float32 to F16 bits, round to nearest even. Values too large for F16 become infinity. */
    public static short toF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7F_FFFF;
        if (exp == 0xFF) {
            // Infinity stays infinity; NaN stays a (quiet) NaN with its top payload bits.
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            // F16 subnormal: value = m * 2^-24, with the float's full 24-bit significand shifted down.
            int shift = 14 - e;
            if (shift > 24) {
                return (short) sign; // below half the smallest subnormal: rounds to zero
            }
            int significand = mant | 0x80_0000;
            int m = significand >>> shift;
            int rem = significand & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rem > halfway || (rem == halfway && (m & 1) == 1)) {
                m++; // may carry into the smallest normal, which is the right encoding
            }
            return (short) (sign | m);
        }
        int h = sign | (e << 10) | (mant >>> 13);
        int rem = mant & 0x1FFF;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1)) {
            h++; // a carry into the exponent is correct, up to infinity
        }
        return (short) h;
    }

    /** F16 bits to float32, exact. */
    public static float fromF16(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // exact: mant < 2^10
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** Every F16 pattern widened, indexed by its unsigned bits: decoding by lookup (256 KiB, built on first use). */
    static float[] f16Table() {
        return F16Table.VALUES;
    }

    private static final class F16Table {
        static final float[] VALUES = new float[1 << 16];

        static {
            for (int h = 0; h < VALUES.length; h++) {
                VALUES[h] = fromF16((short) h);
            }
        }
    }

    /** float32 to BF16 bits (the top half of the float), round to nearest even. */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7F80_0000) == 0x7F80_0000 && (bits & 0x7F_FFFF) != 0) {
            return (short) ((bits >>> 16) | 0x0040); // keep NaN a NaN even if its payload is all low bits
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /** BF16 bits to float32, exact. */
    public static float fromBf16(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    /** True when the 16-bit pattern is infinity or NaN in the given wire type. */
    public static boolean isNonFinite(short bits, DType type) {
        int b = bits & 0x7FFF;
        return switch (type) {
            case F16 -> b >= 0x7C00;
            case BF16 -> b >= 0x7F80;
            case F32 -> throw new IllegalArgumentException("F32 is not a 16-bit type");
        };
    }
}
