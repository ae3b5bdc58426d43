package io.fedtt.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.Digest;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PackedCodecTest {

    private static final AdapterState MINILM = AdapterInitializer.initialize(
            AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt()), 3);
    private static final WireLayout LAYOUT = WireLayout.of(MINILM);
    private static final Map<String, String> META = Map.of("fedtt.examples", "12", "fedtt.steps", "3");

    private static AdapterState small() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a", new Tensor(new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}));
        t.put("b", new Tensor(new int[] {4}, new float[] {-1, 0.5f, 0, 7}));
        t.put("c", new Tensor(new int[] {1}, new float[] {9}));
        return new AdapterState(t);
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void roundTripsTheWholeMiniLmAdapterInEveryEncoding(Encoding e) {
        byte[] body = PackedCodec.encode(LAYOUT, e, PackedBody.Kind.VALUES, MINILM, META, null);
        PackedBody p = PackedCodec.decode(body, LAYOUT, body.length);
        assertEquals(e, p.encoding());
        assertEquals(PackedBody.Kind.VALUES, p.kind());
        assertEquals(META, p.tensors().metadata());
        assertEquals(MINILM.names(), p.tensors().names());
        for (String n : MINILM.names()) {
            float[] want = MINILM.get(n).data();
            float[] got = p.tensors().get(n).data();
            if (e == Encoding.FLOAT32) {
                assertArrayEquals(want, got, n);
            } else {
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], Math.abs(want[i]) * 0.01 + 0.02, n + "[" + i + "]");
                }
            }
        }
        long values = MINILM.parameterCount();
        long scales = e == Encoding.INT8 ? MINILM.tensors().values().stream()
                .mapToLong(t -> (t.size() + Encoding.INT8_BLOCK - 1) / Encoding.INT8_BLOCK * 4).sum() : 0;
        long header = body.length - values * e.valueBytes() - scales;
        assertTrue(header < 100 + LAYOUT.bitmapBytes(), "the whole header is " + header + " bytes for "
                + LAYOUT.size() + " tensors");
        int safetensors = SafetensorsCodec.encode(MINILM, DType.F32).length;
        assertTrue(safetensors - values * 4 > 15_000, "safetensors spends a header per tensor, for comparison: "
                + (safetensors - values * 4));
    }

    @Test
    void aSubsetTravelsWithItsBitmapAndPartialTensorsAreByteForByteThoseOfTheFullBody() {
        AdapterState s = small();
        WireLayout layout = WireLayout.of(s);
        byte[] full = PackedCodec.encode(layout, Encoding.INT8, PackedBody.Kind.VALUES, s, Map.of("v", "1"), null);
        byte[] part = PackedCodec.encode(layout, Encoding.INT8, PackedBody.Kind.VALUES, s.select(Set.of("b")::contains),
                Map.of("v", "1"), null);
        PackedBody fb = PackedCodec.decode(full, layout, 1 << 20);
        PackedBody pb = PackedCodec.decode(part, layout, 1 << 20);
        assertEquals(Set.of("b"), pb.tensors().names());
        assertArrayEquals(fb.segments().get(1), pb.segments().get(1));
        HeldGlobal held = HeldGlobal.of(full, fb, layout);
        HeldGlobal merged = held.merge(pb, layout);
        assertEquals(Digest.sha256Hex(full), merged.digest(), "the rebuilt full body is the server's, byte for byte");
        assertEquals(held.state(), merged.state());
        // A copy that differs from the server's (another base) rebuilds to another digest: the client then
        // falls back to the full body.
        AdapterState other = s.with(Map.of("a", new Tensor(new int[] {2, 3}, new float[] {0, 0, 0, 0, 0, 1})));
        byte[] otherFull = PackedCodec.encode(layout, Encoding.INT8, PackedBody.Kind.VALUES, other, Map.of("v", "1"), null);
        HeldGlobal wrongBase = HeldGlobal.of(otherFull, PackedCodec.decode(otherFull, layout, 1 << 20), layout);
        assertNotEquals(Digest.sha256Hex(full), wrongBase.merge(pb, layout).digest());
    }

    @Test
    void fullAndMergedCopiesMustHoldValuesOfEveryTensor() {
        AdapterState s = small();
        WireLayout layout = WireLayout.of(s);
        byte[] part = PackedCodec.encode(layout, Encoding.FLOAT32, PackedBody.Kind.VALUES, s.select("a"::equals), Map.of(), null);
        assertTrue(assertThrows(PackedFormatException.class,
                () -> HeldGlobal.of(part, PackedCodec.decode(part, layout, 1 << 20), layout)).getMessage().contains("all 3"));
        byte[] delta = PackedCodec.encode(layout, Encoding.FLOAT32, PackedBody.Kind.DELTA, s, Map.of(), null);
        assertThrows(PackedFormatException.class, () -> HeldGlobal.of(delta, PackedCodec.decode(delta, layout, 1 << 20), layout));
    }

    // ================================================================ hostile bodies

    private static byte[] valid() {
        return PackedCodec.encode(WireLayout.of(small()), Encoding.INT8, PackedBody.Kind.DELTA, small(), META,
                new java.util.SplittableRandom(1));
    }

    private static String refusal(byte[] body) {
        return assertThrows(PackedFormatException.class,
                () -> PackedCodec.decode(body, WireLayout.of(small()), 1 << 20)).getMessage();
    }

    private static String refusal(Consumer<ByteBuffer> change) {
        byte[] body = valid();
        change.accept(ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN));
        return refusal(body);
    }

    @Test
    void hostileHeadersAreRefusedNamingTheField() {
        assertTrue(refusal(b -> b.put(0, (byte) 'X')).contains("not a packed body"));
        assertTrue(refusal(b -> b.put(4, (byte) 9)).contains("'encoding'"));
        assertTrue(refusal(b -> b.put(5, (byte) 7)).contains("'kind'"));
        assertTrue(refusal(b -> b.putShort(6, (short) 1)).contains("reserved"));
        assertTrue(refusal(b -> b.putInt(8, 64)).contains("'blockSize'"));
        assertTrue(refusal(b -> b.put(12, (byte) (b.get(12) ^ 1))).contains("'layoutDigest'"));
        assertTrue(refusal(b -> b.putInt(44, 4)).contains("'tensors'"));
        assertTrue(refusal(b -> b.putInt(48, -1)).contains("'metadataLength'"), "2^32 - 1 does not wrap around");
        assertTrue(refusal(b -> b.putInt(48, 100_000)).contains("'metadataLength'"));
        assertTrue(refusal(java.util.Arrays.copyOf(valid(), 20)).contains("not a packed body"));
    }

    @Test
    void hostileMetadataBitmapsAndLengthsAreRefused() {
        int metaLength = ByteBuffer.wrap(valid()).order(ByteOrder.LITTLE_ENDIAN).getInt(48);
        int bitmap = PackedCodec.HEADER_BYTES + metaLength;
        assertTrue(refusal(b -> b.put(PackedCodec.HEADER_BYTES, (byte) '[')).contains("metadata"));
        assertTrue(refusal(b -> b.put(bitmap, (byte) 0x0F)).contains("past the layout"), "bit 3 of a 3-tensor layout");
        assertTrue(refusal(b -> b.put(bitmap, (byte) 0x03)).contains("need"), "one tensor less than the data holds");
        byte[] longer = java.util.Arrays.copyOf(valid(), valid().length + 1);
        assertTrue(refusal(longer).contains("need"), "a trailing byte");
        byte[] shorter = java.util.Arrays.copyOf(valid(), valid().length - 1);
        assertTrue(refusal(shorter).contains("need"));
        byte[] body = valid();
        assertTrue(assertThrows(PackedFormatException.class, () -> PackedCodec.decode(body, WireLayout.of(small()),
                body.length - 1)).getMessage().contains("allowed"));
        // Metadata that is a JSON object of strings and nothing else.
        for (String meta : new String[] {"{\"a\":1}", "{\"a\":\"x\",\"a\":\"y\"}", "{\"a\":\"x\"} {}", "{\"a\":"}) {
            byte[] m = meta.getBytes(StandardCharsets.UTF_8);
            byte[] good = valid();
            byte[] forged = new byte[good.length - metaLength + m.length];
            System.arraycopy(good, 0, forged, 0, PackedCodec.HEADER_BYTES);
            ByteBuffer.wrap(forged).order(ByteOrder.LITTLE_ENDIAN).putInt(48, m.length);
            System.arraycopy(m, 0, forged, PackedCodec.HEADER_BYTES, m.length);
            System.arraycopy(good, bitmap, forged, PackedCodec.HEADER_BYTES + m.length, good.length - bitmap);
            assertTrue(refusal(forged).contains("metadata"), meta + ": " + refusal(forged));
        }
    }

    @Test
    void hostileValuesAreRefusedNamingTheTensor() {
        int metaLength = ByteBuffer.wrap(valid()).order(ByteOrder.LITTLE_ENDIAN).getInt(48);
        int data = PackedCodec.HEADER_BYTES + metaLength + 1;
        // tensor 'a' comes first: its int8 scale, then 6 values
        String nanScale = refusal(b -> b.putFloat(data, Float.NaN));
        assertTrue(nanScale.contains("tensor 'a'") && nanScale.contains("scale"), nanScale);
        String min = refusal(b -> b.put(data + 4 + 2, Byte.MIN_VALUE));
        assertTrue(min.contains("tensor 'a'") && min.contains("element 2"), min);
        AdapterState s = small();
        WireLayout layout = WireLayout.of(s);
        byte[] f32 = PackedCodec.encode(layout, Encoding.FLOAT32, PackedBody.Kind.VALUES, s, Map.of(), null);
        int f32Data = f32.length - 11 * 4;
        ByteBuffer.wrap(f32).order(ByteOrder.LITTLE_ENDIAN).putFloat(f32Data + 6 * 4 + 4, Float.POSITIVE_INFINITY);
        String inf = assertThrows(PackedFormatException.class, () -> PackedCodec.decode(f32, layout, 1 << 20)).getMessage();
        assertTrue(inf.contains("tensor 'b'") && inf.contains("element 1") && inf.contains("Infinity"), inf);
    }

    /** Random damage to a valid body: it decodes to finite values or is refused with a PackedFormatException, nothing else. */
    @Test
    void fuzzedBodiesAreReadOrRefusedNeverCrash() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        WireLayout layout = WireLayout.of(small());
        int refused = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] body = valid();
            switch (random.nextInt(4)) {
                case 0 -> body[random.nextInt(body.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> body = java.util.Arrays.copyOf(body, random.nextInt(body.length));
                case 2 -> body = java.util.Arrays.copyOf(body, body.length + 1 + random.nextInt(16));
                default -> {
                    for (int k = 0; k < 4; k++) {
                        body[random.nextInt(body.length)] = (byte) random.nextInt(256);
                    }
                }
            }
            try {
                PackedBody p = PackedCodec.decode(body, layout, 1 << 20);
                for (Tensor t : p.tensors().tensors().values()) {
                    for (float f : t.data()) {
                        assertTrue(Float.isFinite(f));
                    }
                }
            } catch (PackedFormatException e) {
                refused++;
                assertTrue(e.getMessage().startsWith("packed body: ") || e.getMessage().startsWith("tensor '"),
                        e.getMessage());
            }
        }
        assertTrue(refused > 2_000, "most damage is caught: " + refused);
    }

    @Test
    void encodingRefusesTensorsOutsideTheLayoutOrOfAnotherShape() {
        WireLayout layout = WireLayout.of(small());
        AdapterState alien = new AdapterState(Map.of("zz", new Tensor(new int[] {1}, new float[] {1})));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PackedCodec.encode(layout, Encoding.FLOAT32,
                PackedBody.Kind.VALUES, alien, Map.of(), null)).getMessage().contains("'zz'"));
        AdapterState reshaped = new AdapterState(Map.of("c", new Tensor(new int[] {1, 1}, new float[] {1})));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PackedCodec.encode(layout, Encoding.FLOAT32,
                PackedBody.Kind.VALUES, reshaped, Map.of(), null)).getMessage().contains("'c'"));
        assertEquals(List.of("a", "c"), layout.namesOfMask(layout.maskText(List.of("c", "a"))));
        assertEquals(null, layout.namesOfMask("!!"));
    }
}
