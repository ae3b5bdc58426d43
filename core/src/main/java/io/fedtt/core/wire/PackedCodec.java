package io.fedtt.core.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The packed wire format (fedtt wire v1): the tensors of an update or a global adapter as one
 * contiguous run of values in the job's {@link Encoding}, named by a presence bitmap over the
 * {@link WireLayout} both ends know from the job, instead of a safetensors header per tensor.
 *
 * <pre>
 * offset  size      field (integers little-endian)
 *  0      4         magic "FTW1"
 *  4      1         encoding (0 float32, 1 float16, 2 bfloat16, 3 int8)
 *  5      1         kind (0 values, 1 delta from the round's global)
 *  6      2         reserved, 0
 *  8      4         int8 block size (values per scale; 0 for the other encodings)
 * 12      32        SHA-256 of the layout (names and shapes)
 * 44      4         number of tensors in the layout
 * 48      4         metadata length M (at most 64 KiB)
 * 52      M         metadata: a JSON object of strings (fedtt.examples, fedtt.version, ...)
 * 52+M    (T+7)/8   presence bitmap: bit i of byte i/8 set = layout tensor i is in the body
 * ...               each present tensor in layout order: its values ({@link ValueCodec}); nothing else
 * </pre>
 * Offsets and lengths are implied by the layout, so there is nothing to overlap or point outside
 * the body: a reader checks the header fields, then that the body is exactly as long as the present
 * tensors need. Each tensor's bytes depend only on its values, so a partial body's tensors are
 * byte for byte those of the full body, and a client holding the rest can rebuild the full body
 * ({@link #assemble}) and check it against the digest the task names.
 */
public final class PackedCodec {

    public static final int HEADER_BYTES = 52;
    public static final int MAX_METADATA_BYTES = 64 * 1024;
    private static final byte[] MAGIC = {'F', 'T', 'W', '1'};
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private PackedCodec() {
    }

    /** Whether {@code body} claims to be a packed body (its magic); everything else is safetensors. */
    public static boolean isPacked(byte[] body) {
        return body != null && body.length >= 4 && body[0] == MAGIC[0] && body[1] == MAGIC[1] && body[2] == MAGIC[2]
                && body[3] == MAGIC[3];
    }

    // ================================================================ encoding

    /**
     * Encodes {@code tensors} (a subset of the layout, any order) with {@code metadata}.
     *
     * @param random int8 stochastic rounding (uploads); null rounds to nearest (global adapters)
     * @throws IllegalArgumentException naming a tensor that is not in the layout, has another shape
     *     or holds a value that is not finite
     */
    public static byte[] encode(WireLayout layout, Encoding encoding, PackedBody.Kind kind, AdapterState tensors,
                                Map<String, String> metadata, SplittableRandom random) {
        return assemble(layout, encoding, kind, metadata, segments(layout, encoding, tensors, random));
    }

    /** Each tensor's encoded bytes, by layout index. */
    public static Map<Integer, byte[]> segments(WireLayout layout, Encoding encoding, AdapterState tensors,
                                                SplittableRandom random) {
        Map<Integer, byte[]> out = new TreeMap<>();
        for (Map.Entry<String, Tensor> t : tensors.tensors().entrySet()) {
            int i = layout.indexOf(t.getKey());
            if (i < 0) {
                throw new IllegalArgumentException("tensor '" + t.getKey() + "' is not part of the adapter layout");
            }
            if (!t.getValue().sameShape(layout.shape(i))) {
                throw new IllegalArgumentException("tensor '" + t.getKey() + "' has shape "
                        + java.util.Arrays.toString(t.getValue().shape()) + ", the layout's is "
                        + java.util.Arrays.toString(layout.shape(i)));
            }
            ByteBuffer b = ByteBuffer.allocate(ValueCodec.bytes(encoding, layout.elements(i))).order(ByteOrder.LITTLE_ENDIAN);
            try {
                ValueCodec.encode(t.getValue().data(), encoding, random, b);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tensor '" + t.getKey() + "': " + e.getMessage(), e);
            }
            out.put(i, b.array());
        }
        return out;
    }

    /** A body from already encoded tensors (by layout index): how a client rebuilds the full body it holds. */
    public static byte[] assemble(WireLayout layout, Encoding encoding, PackedBody.Kind kind, Map<String, String> metadata,
                                  Map<Integer, byte[]> segments) {
        byte[] meta = metadataJson(metadata);
        if (meta.length > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException("metadata is " + meta.length + " bytes, more than " + MAX_METADATA_BYTES);
        }
        byte[] bits = new byte[layout.bitmapBytes()];
        long data = 0;
        for (Map.Entry<Integer, byte[]> s : segments.entrySet()) {
            int i = s.getKey();
            bits[i >>> 3] |= (byte) (1 << (i & 7));
            data += s.getValue().length;
        }
        long total = HEADER_BYTES + meta.length + bits.length + data;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a packed body of " + total + " bytes does not fit one array");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) encoding.code()).put((byte) kind.code).putShort((short) 0)
                .putInt(encoding.blockSize()).put(layout.digest()).putInt(layout.size()).putInt(meta.length)
                .put(meta).put(bits);
        new TreeMap<>(segments).values().forEach(out::put);
        return out.array();
    }

    private static byte[] metadataJson(Map<String, String> metadata) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(b)) {
            g.writeStartObject();
            for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write metadata", e);
        }
        return b.toByteArray();
    }

    // ================================================================ decoding

    /**
     * Reads a packed body against the job's layout, strictly: every field is checked before it is
     * used, the body must be exactly as long as its present tensors need, and every decoded value
     * must be finite.
     *
     * @param maxBytes the largest body accepted
     * @throws PackedFormatException naming the field or tensor that is wrong
     */
    public static PackedBody decode(byte[] body, WireLayout layout, long maxBytes) {
        if (body.length > maxBytes) {
            throw bad("the body is " + body.length + " bytes, more than the " + maxBytes + " allowed");
        }
        if (body.length < HEADER_BYTES || !isPacked(body)) {
            throw bad("not a packed body (fedtt wire v1 starts with \"FTW1\" and a " + HEADER_BYTES + "-byte header)");
        }
        ByteBuffer in = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        in.position(4);
        int code = in.get() & 0xFF;
        Encoding encoding = Encoding.fromCode(code);
        if (encoding == null) {
            throw bad("field 'encoding' holds unknown code " + code);
        }
        int kindCode = in.get() & 0xFF;
        PackedBody.Kind kind = PackedBody.Kind.fromCode(kindCode);
        if (kind == null) {
            throw bad("field 'kind' holds unknown code " + kindCode);
        }
        if (in.getShort() != 0) {
            throw bad("reserved field (bytes 6-7) must be 0");
        }
        long block = in.getInt() & 0xFFFF_FFFFL;
        if (block != encoding.blockSize()) {
            throw bad("field 'blockSize' is " + block + "; " + encoding.wireName() + " uses " + encoding.blockSize());
        }
        if (!layout.digestEquals(body, in.position())) {
            throw bad("field 'layoutDigest' does not match this job's adapter layout ("
                    + layout.digestHex().substring(0, 12) + "...): the sender lays the adapter out differently");
        }
        in.position(in.position() + 32);
        long tensors = in.getInt() & 0xFFFF_FFFFL;
        if (tensors != layout.size()) {
            throw bad("field 'tensors' is " + tensors + ", the layout has " + layout.size());
        }
        long metaLength = in.getInt() & 0xFFFF_FFFFL;
        if (metaLength > MAX_METADATA_BYTES || metaLength > body.length - HEADER_BYTES) {
            throw bad("field 'metadataLength' is " + metaLength + ": more than the body holds or than "
                    + MAX_METADATA_BYTES + " bytes");
        }
        Map<String, String> metadata = readMetadata(body, HEADER_BYTES, (int) metaLength);
        in.position(HEADER_BYTES + (int) metaLength);
        if (in.remaining() < layout.bitmapBytes()) {
            throw bad("the body ends inside the presence bitmap");
        }
        byte[] bits = new byte[layout.bitmapBytes()];
        in.get(bits);
        List<String> present = layout.namesOf(bits);
        if (present == null) {
            throw bad("the presence bitmap marks tensors past the layout's " + layout.size());
        }
        long need = 0;
        for (String n : present) {
            need += ValueCodec.bytes(encoding, layout.elements(layout.indexOf(n)));
        }
        if (need != in.remaining()) {
            throw bad("the present tensors need " + need + " bytes of values, the body has " + in.remaining());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<Integer, byte[]> segments = new TreeMap<>();
        for (String n : present) {
            int i = layout.indexOf(n);
            int start = in.position();
            float[] v;
            try {
                v = ValueCodec.decode(in, layout.elements(i), encoding);
            } catch (IllegalArgumentException e) {
                throw new PackedFormatException("tensor '" + n + "': " + e.getMessage());
            }
            segments.put(i, java.util.Arrays.copyOfRange(body, start, in.position()));
            out.put(n, new Tensor(layout.shape(i), v));
        }
        return new PackedBody(encoding, kind, new AdapterState(out, metadata), segments);
    }

    private static Map<String, String> readMetadata(byte[] body, int offset, int length) {
        Map<String, String> out = new TreeMap<>();
        try (JsonParser p = JSON.createParser(body, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("metadata must be a JSON object");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    throw bad("metadata is malformed");
                }
                String key = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw bad("metadata '" + key + "' must be a string");
                }
                out.put(key, p.getText());
            }
            if (p.nextToken() != null) {
                throw bad("metadata has bytes after its JSON object");
            }
        } catch (IOException e) {
            throw bad("metadata is not valid JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        return out;
    }

    private static PackedFormatException bad(String message) {
        return new PackedFormatException("packed body: " + message);
    }
}
