package io.fedtt.core.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes adapters in the safetensors format, so that Python's {@code safetensors} reads
 * our files and we read theirs.
 *
 * <p>Layout: an 8-byte little-endian header length N; N bytes of UTF-8 JSON
 * {@code {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}}
 * padded with spaces to a multiple of 8; then the raw little-endian data, tensors contiguous in
 * sorted-name order. In memory every tensor is F32; F16 and BF16 are an opt-in wire compression
 * (round to nearest even when encoding, exact widening when decoding).
 *
 * <p>Decoding is strict, because uploads come from the network: every malformed, unsupported or
 * oversized input raises {@link SafetensorsException} naming what is wrong, and sizes are checked
 * against {@link Limits} before anything is allocated for them.
 */
public final class SafetensorsCodec {

    /** Bounds on what {@code decode} accepts. */
    public record Limits(long maxBytes, int maxTensors, int maxHeaderBytes, boolean allowNonFinite) {

        /** For adapters and updates: 256 MiB, 65,536 tensors, an 8 MiB header, finite values only. */
        public static final Limits DEFAULT = new Limits(256L << 20, 65_536, 8 << 20, false);

        public Limits {
            if (maxBytes < 8 || maxTensors < 0 || maxHeaderBytes < 2) {
                throw new IllegalArgumentException("limits too small: maxBytes=" + maxBytes
                        + ", maxTensors=" + maxTensors + ", maxHeaderBytes=" + maxHeaderBytes);
            }
        }

        public static Limits defaults() {
            return DEFAULT;
        }

        /**
         * For trusted base-model weights (hundreds of MB, thousands of tensors): as large as one
         * byte array allows, the Python library's own 100 MB header cap, non-finite values allowed.
         */
        public static Limits forModelWeights() {
            return new Limits(Integer.MAX_VALUE - 8, 1 << 20, 100_000_000, true);
        }

        public Limits withMaxBytes(long bytes) {
            return new Limits(bytes, maxTensors, maxHeaderBytes, allowNonFinite);
        }

        public Limits withMaxTensors(int tensors) {
            return new Limits(maxBytes, tensors, maxHeaderBytes, allowNonFinite);
        }

        public Limits withMaxHeaderBytes(int bytes) {
            return new Limits(maxBytes, maxTensors, bytes, allowNonFinite);
        }

        public Limits withAllowNonFinite(boolean allow) {
            return new Limits(maxBytes, maxTensors, maxHeaderBytes, allow);
        }
    }

    private static final int CHUNK_BYTES = 1 << 16;
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private SafetensorsCodec() {
    }

    // ---------------------------------------------------------------- encoding

    /** The state as a safetensors file, every tensor stored as {@code wire}. */
    public static byte[] encode(AdapterState state, DType wire) {
        Layout layout = layout(state, wire);
        long total = 8L + layout.header.length + layout.dataLength;
        if (total > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException("encoded adapter would be " + total
                    + " bytes, too large for one array; encode to a stream instead");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(layout.header.length).put(layout.header);
        for (SafetensorsHeader.Entry e : layout.entries) {
            float[] data = state.get(e.name()).data();
            putElements(e.name(), data, 0, data.length, wire, out);
        }
        return out.array();
    }

    /** Writes the state as a safetensors file to {@code out}, in 64 KiB pieces; does not close it. */
    public static void encode(AdapterState state, DType wire, OutputStream out) throws IOException {
        Layout layout = layout(state, wire);
        ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(0, layout.header.length);
        out.write(buf.array(), 0, 8);
        out.write(layout.header);
        int perChunk = CHUNK_BYTES / wire.bytes();
        for (SafetensorsHeader.Entry e : layout.entries) {
            float[] data = state.get(e.name()).data();
            for (int from = 0; from < data.length; from += perChunk) {
                buf.clear();
                putElements(e.name(), data, from, Math.min(data.length, from + perChunk), wire, buf);
                out.write(buf.array(), 0, buf.position());
            }
        }
    }

    private record Layout(List<SafetensorsHeader.Entry> entries, byte[] header, long dataLength) {
    }

    /** Tensors in the order the Python library writes them (by UTF-8 name bytes), with offsets. */
    private static Layout layout(AdapterState state, DType wire) {
        if (wire == null) {
            throw new IllegalArgumentException("wire dtype is required");
        }
        List<String> names = new ArrayList<>(state.names());
        Map<String, byte[]> utf8 = new LinkedHashMap<>();
        for (String name : names) {
            if (SafetensorsHeader.METADATA_KEY.equals(name)) {
                throw new SafetensorsException("tensor name '" + name + "' is reserved for metadata");
            }
            utf8.put(name, strictUtf8(name, "tensor name"));
        }
        state.metadata().forEach((k, v) -> {
            strictUtf8(k, "metadata key");
            strictUtf8(v, "metadata value of '" + k + "'");
        });
        names.sort((a, b) -> Arrays.compareUnsigned(utf8.get(a), utf8.get(b)));
        List<SafetensorsHeader.Entry> entries = new ArrayList<>(names.size());
        long offset = 0;
        for (String name : names) {
            Tensor t = state.get(name);
            long end = offset + (long) t.size() * wire.bytes();
            entries.add(new SafetensorsHeader.Entry(name, wire, t.shape(), offset, end));
            offset = end;
        }
        return new Layout(entries, SafetensorsHeader.write(entries, state.metadata()), offset);
    }

    private static byte[] strictUtf8(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
                        && Character.isLowSurrogate(s.charAt(i + 1));
                if (!paired) {
                    throw new SafetensorsException(what + " '" + s + "' has an unpaired surrogate: not valid Unicode");
                }
                i++;
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putElements(String name, float[] src, int from, int to, DType wire, ByteBuffer dst) {
        if (wire == DType.F32) {
            dst.asFloatBuffer().put(src, from, to - from);
            dst.position(dst.position() + (to - from) * 4);
            return;
        }
        byte[] out = dst.array();
        int at = dst.arrayOffset() + dst.position();
        boolean f16 = wire == DType.F16;
        int infinity = f16 ? 0x7C00 : 0x7F80; // magnitudes at or above this are Inf or NaN
        for (int i = from; i < to; i++, at += 2) {
            float v = src[i];
            short bits = f16 ? HalfPrecision.toF16(v) : HalfPrecision.toBf16(v);
            // Narrowing a finite value to infinity would silently corrupt the adapter.
            if ((bits & 0x7FFF) >= infinity && Float.isFinite(v)) {
                throw tooLarge(name, v, i, wire);
            }
            SHORT_LE.set(out, at, bits);
        }
        dst.position(dst.position() + (to - from) * 2);
    }

    private static SafetensorsException tooLarge(String name, float value, int index, DType wire) {
        return new SafetensorsException("tensor '" + name + "': value " + value + " at index " + index
                + " is too large for " + wire + (wire == DType.F16 ? " (largest " + HalfPrecision.F16_MAX + ")" : "")
                + "; encode it as F32");
    }

    // ---------------------------------------------------------------- decoding

    /** Decodes with {@link Limits#DEFAULT}. */
    public static AdapterState decode(byte[] bytes) {
        return decode(bytes, Limits.DEFAULT);
    }

    public static AdapterState decode(byte[] bytes, Limits limits) {
        if (bytes.length > limits.maxBytes()) {
            throw new SafetensorsException("file of " + bytes.length + " bytes is over the limit of "
                    + limits.maxBytes() + " bytes");
        }
        if (bytes.length < 8) {
            throw new SafetensorsException("truncated file: " + bytes.length
                    + " bytes, shorter than the 8-byte header length");
        }
        int n = headerLength(ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong(), limits);
        if (n > bytes.length - 8) {
            throw new SafetensorsException("truncated header: length field says " + n + " bytes but only "
                    + (bytes.length - 8) + " follow");
        }
        byte[] header = Arrays.copyOfRange(bytes, 8, 8 + n);
        SafetensorsHeader.Parsed parsed = SafetensorsHeader.parse(header, limits.maxTensors(), bytes.length - 8L - n);
        return toState(parsed, bytes, 8 + n, limits);
    }

    /**
     * Decodes a file from a stream, reading no more than the limits allow: the header first, then
     * exactly the data it declares, then it checks that the stream ends. Does not close the stream.
     */
    public static AdapterState decode(InputStream in, Limits limits) throws IOException {
        byte[] prefix = in.readNBytes(8);
        if (prefix.length < 8) {
            throw new SafetensorsException("truncated file: " + prefix.length
                    + " bytes, shorter than the 8-byte header length");
        }
        int n = headerLength(ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong(), limits);
        if (8L + n > limits.maxBytes()) {
            throw new SafetensorsException("header of " + n + " bytes is over the file limit of "
                    + limits.maxBytes() + " bytes");
        }
        byte[] header = in.readNBytes(n);
        if (header.length < n) {
            throw new SafetensorsException("truncated header: length field says " + n + " bytes but only "
                    + header.length + " follow");
        }
        SafetensorsHeader.Parsed parsed = SafetensorsHeader.parse(header, limits.maxTensors(), -1);
        long dataLength = parsed.dataLength();
        if (8L + n + dataLength > Math.min(limits.maxBytes(), Integer.MAX_VALUE - 8)) {
            throw new SafetensorsException("file of " + (8L + n + dataLength) + " bytes is over the limit of "
                    + limits.maxBytes() + " bytes");
        }
        byte[] data = in.readNBytes((int) dataLength);
        if (data.length < dataLength) {
            throw new SafetensorsException("truncated data: the header declares " + dataLength
                    + " bytes but only " + data.length + " follow");
        }
        if (in.read() != -1) {
            throw new SafetensorsException("trailing bytes after the " + dataLength + "-byte data buffer");
        }
        return toState(parsed, data, 0, limits);
    }

    private static int headerLength(long n, Limits limits) {
        if (n < 0 || n > limits.maxHeaderBytes()) {
            throw new SafetensorsException("header length " + Long.toUnsignedString(n)
                    + " is over the limit of " + limits.maxHeaderBytes() + " bytes");
        }
        return (int) n;
    }

    private static AdapterState toState(SafetensorsHeader.Parsed parsed, byte[] buf, int dataStart, Limits limits) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (SafetensorsHeader.Entry e : parsed.entries()) {
            float[] values = readElements(e, buf, dataStart + (int) e.begin());
            if (!limits.allowNonFinite()) {
                for (int i = 0; i < values.length; i++) {
                    if (!Float.isFinite(values[i])) {
                        throw new SafetensorsException("tensor '" + e.name() + "': element " + i + " is "
                                + values[i] + " (non-finite values are not allowed)");
                    }
                }
            }
            tensors.put(e.name(), new Tensor(e.shape(), values));
        }
        return new AdapterState(tensors, parsed.metadata());
    }

    private static float[] readElements(SafetensorsHeader.Entry e, byte[] buf, int at) {
        int numel = e.numel();
        float[] out = new float[numel];
        switch (e.dtype()) {
            case F32 -> ByteBuffer.wrap(buf, at, numel * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            case F16 -> {
                float[] table = HalfPrecision.f16Table();
                for (int i = 0; i < numel; i++) {
                    out[i] = table[(short) SHORT_LE.get(buf, at + 2 * i) & 0xFFFF];
                }
            }
            case BF16 -> {
                for (int i = 0; i < numel; i++) {
                    out[i] = HalfPrecision.fromBf16((short) SHORT_LE.get(buf, at + 2 * i));
                }
            }
        }
        return out;
    }
}
