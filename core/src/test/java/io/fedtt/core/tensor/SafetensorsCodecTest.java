package io.fedtt.core.tensor;

import static io.fedtt.core.tensor.SafetensorsTestFiles.f32;
import static io.fedtt.core.tensor.SafetensorsTestFiles.file;
import static io.fedtt.core.tensor.SafetensorsTestFiles.le64;
import static io.fedtt.core.tensor.SafetensorsTestFiles.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsCodecTest {

    private static final String T = "{\"dtype\":\"F32\",\"shape\":";

    private static AdapterState state(Object... nameTensorPairs) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < nameTensorPairs.length; i += 2) {
            m.put((String) nameTensorPairs[i], (Tensor) nameTensorPairs[i + 1]);
        }
        return new AdapterState(m);
    }

    private static Tensor t(int[] shape, float... data) {
        return new Tensor(shape, data);
    }

    // ------------------------------------------------------------ round trips and layout

    @ParameterizedTest
    @EnumSource(DType.class)
    void roundTripsRandomStatesThroughBytesAndStreams(DType wire) throws IOException {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 200; i++) {
            AdapterState s = SafetensorsTestFiles.randomState(rnd, 6);
            byte[] bytes = SafetensorsCodec.encode(s, wire);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            SafetensorsCodec.encode(s, wire, out);
            assertArrayEquals(bytes, out.toByteArray(), "stream and array encodings agree");
            long headerLength = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, headerLength % 8, "data starts 8-byte aligned");
            AdapterState back = SafetensorsCodec.decode(bytes);
            AdapterState fromStream = SafetensorsCodec.decode(new ByteArrayInputStream(bytes),
                    SafetensorsCodec.Limits.DEFAULT);
            assertEquals(back, fromStream);
            assertEquals(s.names(), back.names());
            assertEquals(s.metadata(), back.metadata());
            for (String name : s.names()) {
                Tensor a = s.get(name);
                Tensor b = back.get(name);
                assertTrue(a.sameShape(b), name);
                for (int k = 0; k < a.size(); k++) {
                    float expected = switch (wire) {
                        case F32 -> a.data()[k];
                        case F16 -> HalfPrecision.fromF16(HalfPrecision.toF16(a.data()[k]));
                        case BF16 -> HalfPrecision.fromBf16(HalfPrecision.toBf16(a.data()[k]));
                    };
                    assertEquals(expected, b.data()[k], name + "[" + k + "]");
                }
            }
        }
    }

    @Test
    void f32IsBitExactAndHalfTypesStoreTheExpectedBitPatterns() {
        float sub = 0x1p-24f;
        AdapterState s = state("x", t(new int[] {6}, 1.0f, -2.5f, 65504f, sub, 3 * 0x1p-25f, 1f + 0x1p-11f));
        assertEquals(s, SafetensorsCodec.decode(SafetensorsCodec.encode(s, DType.F32)));

        byte[] f16 = SafetensorsCodec.encode(s, DType.F16);
        byte[] data16 = java.util.Arrays.copyOfRange(f16, f16.length - 12, f16.length);
        assertArrayEquals(u16(0x3C00, 0xC100, 0x7BFF, 0x0001, 0x0002, 0x3C00), data16);
        float[] back = SafetensorsCodec.decode(f16).get("x").data();
        assertArrayEquals(new float[] {1.0f, -2.5f, 65504f, sub, 2 * sub, 1.0f}, back);

        AdapterState b = state("x", t(new int[] {3}, 1.0f, -2.5f, Float.intBitsToFloat(0x3F81_8000)));
        byte[] bf = SafetensorsCodec.encode(b, DType.BF16);
        assertArrayEquals(u16(0x3F80, 0xC020, 0x3F82), java.util.Arrays.copyOfRange(bf, bf.length - 6, bf.length));
        assertEquals("{\"x\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]}}",
                new String(bf, 8, (int) (bf.length - 8 - 6), StandardCharsets.UTF_8).trim());
    }

    @Test
    void metadataRoundTripsAndIsOmittedWhenEmpty() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("round", "3");
        meta.put("quote\"and\\slash", "line\nbreak \u00e9 \u2603 \ud83d\ude00 \u0001");
        AdapterState s = new AdapterState(Map.of("a", Tensor.zeros(2)), meta);
        AdapterState back = SafetensorsCodec.decode(SafetensorsCodec.encode(s, DType.F32));
        assertEquals(meta, back.metadata());
        String header = new String(SafetensorsCodec.encode(s, DType.F32), StandardCharsets.UTF_8);
        assertTrue(header.contains("\"line\\nbreak \u00e9 \u2603 \ud83d\ude00 \\u0001\""), header);

        byte[] noMeta = SafetensorsCodec.encode(new AdapterState(Map.of("a", Tensor.zeros(2))), DType.F32);
        assertTrue(!new String(noMeta, StandardCharsets.UTF_8).contains("__metadata__"));
    }

    /**
     * The exact bytes the Python library writes (compact JSON, {@code __metadata__} first, tensors in
     * name order, header padded with spaces to a multiple of 8, little-endian data), built by hand.
     */
    @Test
    void goldenFileMatchesThePythonLibraryLayoutByteForByte() {
        String json = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}";
        assertEquals(65, json.length());
        byte[] golden = file(json + "       ", f32(0, 1, 2, 3, 4, 5));
        assertEquals(72, golden[0]);
        AdapterState s = state("attn0", t(new int[] {1, 1, 2, 3}, 0, 1, 2, 3, 4, 5));
        assertArrayEquals(golden, SafetensorsCodec.encode(s, DType.F32));
        assertEquals(s, SafetensorsCodec.decode(golden));

        String json2 = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a.bias\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[],\"data_offsets\":[4,6]},"
                + "\"c\":{\"dtype\":\"F16\",\"shape\":[0,3],\"data_offsets\":[6,6]}}";
        int pad = (8 - json2.length() % 8) % 8;
        byte[] golden2 = file(json2 + " ".repeat(pad), u16(0x3C00, 0xC100, 0x7BFF));
        AdapterState s2 = new AdapterState(Map.of(
                "b", t(new int[0], 65504f),
                "a.bias", t(new int[] {2}, 1f, -2.5f),
                "c", Tensor.zeros(0, 3)), Map.of("format", "pt"));
        assertArrayEquals(golden2, SafetensorsCodec.encode(s2, DType.F16));
        assertEquals(s2, SafetensorsCodec.decode(golden2));

        byte[] empty = file("{}      ", new byte[0]);
        assertArrayEquals(empty, SafetensorsCodec.encode(new AdapterState(Map.of()), DType.F32));
    }

    @Test
    void readsFilesWrittenInAnyTensorOrderAndMixedDtypes() {
        // Older writers ordered entries differently; only the offsets matter.
        String json = "{\"z\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"data_offsets\":[4,6],\"shape\":[1],\"dtype\":\"BF16\"}}";
        AdapterState s = SafetensorsCodec.decode(file(json, concat(f32(2f), u16(0x3F80))));
        assertArrayEquals(new float[] {2f}, s.get("z").data());
        assertArrayEquals(new float[] {1f}, s.get("a").data());
    }

    @Test
    void sortsNamesByUtf8BytesAsTheRustWriterDoes() {
        // U+FF21 sorts before U+1F600 in UTF-16 code units but after it in UTF-8 bytes? No: check both ways.
        String bmpHigh = "\uFF21";
        String astral = "\ud83d\ude00";
        AdapterState s = state(bmpHigh, Tensor.zeros(1), astral, Tensor.zeros(1));
        String header = new String(SafetensorsCodec.encode(s, DType.F32), StandardCharsets.UTF_8);
        // UTF-8: U+FF21 = EF BC A1, U+1F600 = F0 9F 98 80, so the BMP character comes first,
        // although Java's String order (surrogate D83D < FF21) puts the emoji first.
        assertTrue(header.indexOf(bmpHigh) < header.indexOf(astral), header);
        assertTrue(header.contains("\"" + bmpHigh + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"));
    }

    @Test
    void digestIsSha256Hex() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digest.sha256Hex(new byte[0]));
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Digest.sha256Hex("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    // ------------------------------------------------------------ rejections

    static Stream<Arguments> malformedFiles() {
        byte[] two = f32(1, 2);
        return Stream.of(
                Arguments.of("shorter than the length field", new byte[5], "truncated file: 5 bytes"),
                Arguments.of("header length over the limit", concat(le64(9L << 20), new byte[16]),
                        "header length 9437184 is over the limit of 8388608"),
                Arguments.of("huge unsigned length", concat(le64(-1L), new byte[16]),
                        "header length 18446744073709551615 is over the limit"),
                Arguments.of("header longer than the file", concat(le64(100), "{}".getBytes(StandardCharsets.UTF_8)),
                        "truncated header: length field says 100 bytes but only 2 follow"),
                Arguments.of("bad UTF-8", file(new byte[] {'{', '"', (byte) 0xC3, '"', '}'}, new byte[0]),
                        "header is not valid UTF-8"),
                Arguments.of("bad JSON", file("{\"a\":", new byte[0]), "bad header JSON"),
                Arguments.of("bad JSON token", file("{\"a\" 1}", new byte[0]), "bad header JSON"),
                Arguments.of("not an object", file("[1,2]   ", new byte[0]), "header is not a JSON object"),
                Arguments.of("content after the object", file("{} {}", new byte[0]),
                        "header has content after its JSON object"),
                Arguments.of("entry not an object", file("{\"a\":3}", new byte[0]),
                        "tensor 'a': header entry must be an object"),
                Arguments.of("missing shape", file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", two),
                        "tensor 'a': missing field 'shape'"),
                Arguments.of("missing dtype", file("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", two),
                        "tensor 'a': missing field 'dtype'"),
                Arguments.of("missing offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", two),
                        "tensor 'a': missing field 'data_offsets'"),
                Arguments.of("unknown field", file("{\"a\":" + T + "[2],\"data_offsets\":[0,8],\"x\":1}}", two),
                        "tensor 'a': unknown field 'x'"),
                Arguments.of("F64", file("{\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", two),
                        "tensor 'w': unsupported dtype 'F64' (this codec reads F32, F16 and BF16)"),
                Arguments.of("I64", file("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", two),
                        "tensor 'ids': unsupported dtype 'I64'"),
                Arguments.of("dtype not a string", file("{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", two),
                        "tensor 'a': 'dtype' must be a string"),
                Arguments.of("shape not an array", file("{\"a\":" + T + "2,\"data_offsets\":[0,8]}}", two),
                        "tensor 'a': 'shape' must be an array of integers"),
                Arguments.of("negative dimension", file("{\"a\":" + T + "[-2],\"data_offsets\":[0,8]}}", two),
                        "tensor 'a': 'shape' holds negative value -2"),
                Arguments.of("fractional dimension", file("{\"a\":" + T + "[2.0],\"data_offsets\":[0,8]}}", two),
                        "tensor 'a': 'shape' must hold integers, got 2.0"),
                Arguments.of("dimension too large", file("{\"a\":" + T + "[4294967296],\"data_offsets\":[0,8]}}", two),
                        "tensor 'a': dimension 4294967296 is too large"),
                Arguments.of("element count overflow",
                        file("{\"a\":" + T + "[2147483647,2147483647,4],\"data_offsets\":[0,8]}}", two),
                        "tensor 'a': shape [2147483647, 2147483647, 4] has too many elements for one array"),
                Arguments.of("rank 65", file("{\"a\":" + T + "[" + "1,".repeat(64) + "1],\"data_offsets\":[0,4]}}", two),
                        "tensor 'a': shape has more than 64 dimensions"),
                Arguments.of("one offset", file("{\"a\":" + T + "[2],\"data_offsets\":[8]}}", two),
                        "tensor 'a': 'data_offsets' must have exactly 2 values"),
                Arguments.of("three offsets", file("{\"a\":" + T + "[2],\"data_offsets\":[0,8,8]}}", two),
                        "tensor 'a': 'data_offsets' must have exactly 2 values"),
                Arguments.of("end before begin", file("{\"a\":" + T + "[2],\"data_offsets\":[8,0]}}", two),
                        "tensor 'a': data_offsets [8, 0] end before they begin"),
                Arguments.of("huge offset", file("{\"a\":" + T + "[2],\"data_offsets\":[0,99999999999999999999]}}", two),
                        "tensor 'a': 'data_offsets' must hold integers"),
                Arguments.of("shape and offsets disagree", file("{\"a\":" + T + "[3],\"data_offsets\":[0,8]}}", two),
                        "tensor 'a': shape [3] as F32 needs 12 bytes but data_offsets [0, 8] span 8"),
                Arguments.of("out of range", file("{\"a\":" + T + "[4],\"data_offsets\":[0,16]}}", two),
                        "tensor 'a': data_offsets [0, 16] run past the data buffer of 8 bytes"),
                Arguments.of("overlap", file("{\"a\":" + T + "[2],\"data_offsets\":[0,8]},"
                        + "\"b\":" + T + "[1],\"data_offsets\":[4,8]}}", two),
                        "tensor 'b': data_offsets [4, 8] overlap tensor 'a' [0, 8]"),
                Arguments.of("gap", file("{\"a\":" + T + "[1],\"data_offsets\":[4,8]}}", two),
                        "tensor 'a': data starts at 4 but the previous tensor ends at 0 (gap in the data buffer)"),
                Arguments.of("trailing data", file("{\"a\":" + T + "[1],\"data_offsets\":[0,4]}}", two),
                        "data buffer has 8 bytes but the tensors cover 4 (trailing bytes)"),
                Arguments.of("duplicate tensor", file("{\"a\":" + T + "[1],\"data_offsets\":[0,4]},"
                        + "\"a\":" + T + "[1],\"data_offsets\":[4,8]}}", two),
                        "bad header JSON: Duplicate field 'a'"),
                Arguments.of("duplicate field", file("{\"a\":" + T + "[2],\"shape\":[2],\"data_offsets\":[0,8]}}", two),
                        "bad header JSON: Duplicate field 'shape'"),
                Arguments.of("metadata not an object", file("{\"__metadata__\":[1]}", new byte[0]),
                        "'__metadata__' must be an object of strings"),
                Arguments.of("metadata value not a string", file("{\"__metadata__\":{\"round\":3}}", new byte[0]),
                        "'__metadata__' value of 'round' must be a string"),
                Arguments.of("NaN in F32", file("{\"a\":" + T + "[2],\"data_offsets\":[0,8]}}", f32(1, Float.NaN)),
                        "tensor 'a': element 1 is NaN (non-finite values are not allowed)"),
                Arguments.of("Inf in F16", file("{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}",
                        u16(0x3C00, 0xFC00)), "tensor 'h': element 1 is -Infinity"),
                Arguments.of("NaN in BF16", file("{\"h\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]}}",
                        u16(0x7FC0)), "tensor 'h': element 0 is NaN"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void rejectsMalformedFilesNamingWhatIsWrong(String what, byte[] bytes, String message) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsCodec.decode(bytes));
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
        SafetensorsException s = assertThrows(SafetensorsException.class,
                () -> SafetensorsCodec.decode(new ByteArrayInputStream(bytes), SafetensorsCodec.Limits.DEFAULT));
        assertTrue(s.getMessage().contains(message) || what.contains("trailing") || what.contains("range")
                        || what.contains("longer than"),
                "stream decoding: expected '" + message + "' in: " + s.getMessage());
    }

    @Test
    void enforcesLimits() {
        byte[] ok = SafetensorsCodec.encode(state("a", Tensor.zeros(100), "b", Tensor.zeros(1)), DType.F32);
        var limits = SafetensorsCodec.Limits.DEFAULT;
        SafetensorsException big = assertThrows(SafetensorsException.class,
                () -> SafetensorsCodec.decode(ok, limits.withMaxBytes(100)));
        assertEquals("file of " + ok.length + " bytes is over the limit of 100 bytes", big.getMessage());
        SafetensorsException many = assertThrows(SafetensorsException.class,
                () -> SafetensorsCodec.decode(ok, limits.withMaxTensors(1)));
        assertEquals("header lists more than 1 tensors", many.getMessage());
        assertThrows(SafetensorsException.class, () -> SafetensorsCodec.decode(ok, limits.withMaxHeaderBytes(16)));

        byte[] nan = file("{\"a\":" + T + "[1],\"data_offsets\":[0,4]}}", f32(Float.NaN));
        assertTrue(Float.isNaN(SafetensorsCodec.decode(nan, limits.withAllowNonFinite(true)).get("a").data()[0]));
        assertTrue(Float.isNaN(SafetensorsCodec.decode(nan, SafetensorsCodec.Limits.forModelWeights()).get("a").data()[0]));
        assertThrows(IllegalArgumentException.class, () -> limits.withMaxBytes(0));
    }

    @Test
    void streamDecodingChecksTheDeclaredSizeBeforeReadingTheData() throws IOException {
        // Declares a 4 GB tensor; the data stream must never be touched.
        byte[] head = file("{\"a\":" + T + "[1073741824],\"data_offsets\":[0,4294967296]}}", new byte[0]);
        InputStream poisoned = new InputStream() {
            @Override
            public int read() {
                throw new AssertionError("read past the header");
            }
        };
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsCodec.decode(
                new SequenceInputStream(new ByteArrayInputStream(head), poisoned), SafetensorsCodec.Limits.DEFAULT));
        assertTrue(e.getMessage().contains("is over the limit of 268435456 bytes"), e.getMessage());

        byte[] ok = SafetensorsCodec.encode(state("a", Tensor.zeros(3)), DType.F32);
        SafetensorsException trailing = assertThrows(SafetensorsException.class, () -> SafetensorsCodec.decode(
                new ByteArrayInputStream(concat(ok, new byte[1])), SafetensorsCodec.Limits.DEFAULT));
        assertEquals("trailing bytes after the 12-byte data buffer", trailing.getMessage());
        SafetensorsException cut = assertThrows(SafetensorsException.class, () -> SafetensorsCodec.decode(
                new ByteArrayInputStream(java.util.Arrays.copyOf(ok, ok.length - 1)), SafetensorsCodec.Limits.DEFAULT));
        assertEquals("truncated data: the header declares 12 bytes but only 11 follow", cut.getMessage());
    }

    @Test
    void encodingRefusesWhatCannotBeRepresented() {
        SafetensorsException f16 = assertThrows(SafetensorsException.class,
                () -> SafetensorsCodec.encode(state("up.core_4", t(new int[] {2}, 1f, 70000f)), DType.F16));
        assertEquals("tensor 'up.core_4': value 70000.0 at index 1 is too large for F16 (largest 65504.0); "
                + "encode it as F32", f16.getMessage());
        assertThrows(SafetensorsException.class,
                () -> SafetensorsCodec.encode(state("x", t(new int[] {1}, Float.MAX_VALUE)), DType.BF16));
        // Non-finite values are carried as they are; the decoder decides whether they are allowed.
        byte[] inf = SafetensorsCodec.encode(state("x", t(new int[] {1}, Float.POSITIVE_INFINITY)), DType.F16);
        assertThrows(SafetensorsException.class, () -> SafetensorsCodec.decode(inf));

        SafetensorsException reserved = assertThrows(SafetensorsException.class,
                () -> SafetensorsCodec.encode(state("__metadata__", Tensor.zeros(1)), DType.F32));
        assertEquals("tensor name '__metadata__' is reserved for metadata", reserved.getMessage());
        SafetensorsException surrogate = assertThrows(SafetensorsException.class,
                () -> SafetensorsCodec.encode(state("bad\ud800", Tensor.zeros(1)), DType.F32));
        assertTrue(surrogate.getMessage().contains("unpaired surrogate"), surrogate.getMessage());
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
