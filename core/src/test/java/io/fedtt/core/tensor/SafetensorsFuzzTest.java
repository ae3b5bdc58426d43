package io.fedtt.core.tensor;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random corruptions of valid files: the decoder must either return a state or throw
 * {@link SafetensorsException} — never another exception, never an out-of-memory error, and never
 * allocate far more than the input's size (a length field must not make it allocate what it says).
 */
class SafetensorsFuzzTest {

    private static final int CASES = 12_000;
    private static final long SEED = 20_250_601L;
    private static final String[] DTYPES = {"F32", "F16", "BF16", "F64", "I64", "U8", "", "f32", "F32 "};
    private static final String[] JUNK = {"{", "}", "[", "]", ",", ":", "\"", "-", "1e9", "null", "\\u0000",
        "\"__metadata__\"", "9223372036854775808", "-1", "0", "[[[[[[[[[[", "\"a\":1"};

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void corruptedFilesNeverEscapeTheCodecsOwnException() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        List<byte[]> bases = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            DType wire = DType.values()[i % 3];
            bases.add(SafetensorsCodec.encode(SafetensorsTestFiles.randomState(rnd, 5), wire));
        }
        int[] accepted = new int[6];
        int[] rejected = new int[6];
        long start = System.nanoTime();
        for (int i = 0; i < CASES; i++) {
            byte[] base = bases.get(rnd.nextInt(bases.size()));
            int kind = rnd.nextInt(6);
            byte[] input = switch (kind) {
                case 0 -> flipBits(base, rnd);
                case 1 -> Arrays.copyOf(base, rnd.nextInt(base.length));
                case 2 -> splice(base, bases.get(rnd.nextInt(bases.size())), rnd);
                case 3 -> rewriteHeader(base, rnd);
                case 4 -> hugeLength(base, rnd);
                default -> rewriteHeader(flipBits(base, rnd), rnd);
            };
            boolean ok = decodeSafely(input, i, kind, rnd.nextBoolean());
            if (ok) {
                accepted[kind]++;
            } else {
                rejected[kind]++;
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("safetensors fuzz: %d cases in %d ms; accepted per kind %s, rejected %s%n",
                CASES, millis, Arrays.toString(accepted), Arrays.toString(rejected));
        // The corruptions must exercise both outcomes, or the fuzzer is not reaching the decoder's depths.
        assertTrue(Arrays.stream(accepted).sum() > CASES / 50, "too few corrupt files still decode");
        assertTrue(Arrays.stream(rejected).sum() > CASES / 2, "too few corrupt files rejected");
    }

    /** True when decoded, false when rejected with the codec's exception; fails the test otherwise. */
    private boolean decodeSafely(byte[] input, int i, int kind, boolean viaStream) {
        long before = threads.getCurrentThreadAllocatedBytes();
        try {
            if (viaStream) {
                SafetensorsCodec.decode(new ByteArrayInputStream(input), SafetensorsCodec.Limits.DEFAULT);
            } else {
                SafetensorsCodec.decode(input);
            }
            return true;
        } catch (SafetensorsException expected) {
            return false;
        } catch (Throwable t) { // includes OutOfMemoryError: that is exactly what must not happen
            fail("case " + i + " (kind " + kind + ", stream " + viaStream + ") threw " + t + " for input "
                    + Base64.getEncoder().encodeToString(input), t);
            return false;
        } finally {
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated > 64L * input.length + (4 << 20)) {
                fail("case " + i + " allocated " + allocated + " bytes for a " + input.length + "-byte input");
            }
        }
    }

    private static byte[] flipBits(byte[] base, SplittableRandom rnd) {
        byte[] out = base.clone();
        int flips = rnd.nextInt(1, 9);
        int headerEnd = (int) Math.min(out.length, 8 + headerLength(base));
        for (int f = 0; f < flips; f++) {
            // Mostly in the length field and header, where the parsing happens.
            int at = rnd.nextInt(4) == 0 ? rnd.nextInt(out.length) : rnd.nextInt(headerEnd);
            out[at] ^= (byte) (1 << rnd.nextInt(8));
        }
        return out;
    }

    private static byte[] splice(byte[] base, byte[] donor, SplittableRandom rnd) {
        int from = rnd.nextInt(donor.length);
        int len = rnd.nextInt(1, Math.min(64, donor.length - from) + 1);
        int at = rnd.nextInt(base.length);
        if (rnd.nextBoolean()) { // overwrite in place
            byte[] out = base.clone();
            System.arraycopy(donor, from, out, at, Math.min(len, out.length - at));
            return out;
        }
        byte[] out = new byte[base.length + len]; // insert
        System.arraycopy(base, 0, out, 0, at);
        System.arraycopy(donor, from, out, at, len);
        System.arraycopy(base, at, out, at + len, base.length - at);
        return out;
    }

    /** Edits the header text, then writes a consistent length field so the parser sees the edit. */
    private static byte[] rewriteHeader(byte[] base, SplittableRandom rnd) {
        long n = headerLength(base);
        if (n < 0 || n > base.length - 8) {
            return base;
        }
        String header = new String(base, 8, (int) n, StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(base, 8 + (int) n, base.length);
        StringBuilder h = new StringBuilder(header);
        int edits = rnd.nextInt(1, 4);
        for (int e = 0; e < edits && h.length() > 0; e++) {
            int at = rnd.nextInt(h.length());
            switch (rnd.nextInt(6)) {
                case 0 -> { // change a number
                    int digit = indexOfDigit(h, at);
                    if (digit >= 0) {
                        h.replace(digit, digit + 1, Long.toString(rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(-2, 64)));
                    }
                }
                case 1 -> { // change a dtype
                    int d = h.indexOf("\"dtype\":\"", at);
                    if (d >= 0) {
                        int s = d + 9;
                        int end = h.indexOf("\"", s);
                        h.replace(s, end, DTYPES[rnd.nextInt(DTYPES.length)]);
                    }
                }
                case 2 -> h.deleteCharAt(at);
                case 3 -> h.insert(at, JUNK[rnd.nextInt(JUNK.length)]);
                case 4 -> { // duplicate a stretch (duplicate keys, nested garbage)
                    int len = rnd.nextInt(1, Math.min(80, h.length() - at) + 1);
                    h.insert(at, h.substring(at, at + len));
                }
                default -> { // strip the padding or add junk padding
                    h.setLength(h.toString().stripTrailing().length());
                    if (rnd.nextBoolean()) {
                        h.append("\u0000 x");
                    }
                }
            }
        }
        if (rnd.nextInt(4) == 0) {
            data = Arrays.copyOf(data, Math.max(0, data.length + rnd.nextInt(-8, 9)));
        }
        return SafetensorsTestFiles.file(h.toString(), data);
    }

    private static byte[] hugeLength(byte[] base, SplittableRandom rnd) {
        long n = switch (rnd.nextInt(5)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> -1L;
            case 2 -> rnd.nextLong();
            case 3 -> (8L << 20) + rnd.nextInt(1, 1000);
            default -> Math.max(0, headerLength(base) + rnd.nextInt(-16, 17));
        };
        byte[] out = base.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
        return out;
    }

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static int indexOfDigit(CharSequence s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (Character.isDigit(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
