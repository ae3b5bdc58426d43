package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.Rejection;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link RoundCoordinator#submit} with generated malformed uploads (fixed seed): raw framing
 * (length field, truncation, trailing and random bytes, garbage or cut JSON), the header's tensor table
 * (dtypes, shapes, offsets, missing, extra, frozen or duplicate tensors, non-object entries), the
 * metadata (claimed examples and their cap, steps, eval metrics, non-string values, duplicate keys),
 * non-finite values, oversized bodies, and the request's round and participant. Every generated
 * upload is malformed by construction, so each must end in a {@link Rejection} with a message,
 * never another exception; and the round's aggregate after the honest uploads must be bit-identical
 * to that of a run that never saw the fuzz (so no rejected upload left anything behind, not even a
 * participant stuck "in flight"). About 10,000 uploads of a few hundred bytes: a second or two.
 */
class UploadFuzzTest {

    private static final long SEED = 0x15_F022L;
    private static final int UPLOADS = 10_000;
    private static final List<String> SILOS = List.of("silo-0", "silo-1", "silo-2");
    /** FedTT+ mask: head.w frozen, so uploading it is an error too. */
    private static final List<String> TRAINABLE = Fx.HEAD_FROZEN_TRAINABLE;
    private static final long CAP = 1000;
    private static final long MAX_BYTES = 1 << 16;

    enum Kind {
        LENGTH_FIELD, TRUNCATED, TRAILING_BYTES, RANDOM_BYTES, GARBAGE_HEADER, CUT_HEADER, HEADER_NOT_OBJECT,
        DTYPE, SHAPE, OFFSETS, MISSING_TENSOR, EXTRA_TENSOR, DUPLICATE_TENSOR, ENTRY_NOT_OBJECT, UNKNOWN_FIELD,
        EXAMPLES, STEPS, EVAL, METADATA_SHAPE, DUPLICATE_METADATA, NON_FINITE, OVERSIZED, ROUND, PARTICIPANT
    }

    /** One generated upload: who sends it, for which round, the body, and what is wrong with it. */
    record Upload(Kind kind, String participant, int round, byte[] body, String what) {
    }


    private static RoundCoordinator coordinator() {
        FederationJobSpec spec = FederationJobSpec.builder(new JobId("team-f", "fuzz"), Fx.smallAdapter())
                .silos(SILOS.toArray(String[]::new)).rounds(2).roundTimeout(Duration.ofMinutes(5))
                .freezing("headFrozen", Fx.headFrozen()).maxExamplesPerUpdate(CAP).build();
        return RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults()
                .withClock(new TestClock()).withDriver(Runnable::run).withMaxUpdateBytes(MAX_BYTES));
    }

    private static byte[] honest(AdapterState global, String silo) {
        return Fx.updateBytes(global, TRAINABLE, silo, 1, DType.F32);
    }

    @Test
    void malformedUploadsAreRejectedAndLeaveTheAggregateAlone() {
        RoundCoordinator clean = coordinator();
        AdapterState g = clean.global();
        for (String s : SILOS) {
            clean.submit(s, 1, honest(g, s));
        }
        AdapterState want = clean.global();
        String wantDigest = clean.status().globalDigest();
        clean.close();

        RoundCoordinator c = coordinator();
        Generator gen = new Generator(new SplittableRandom(SEED), g);
        Map<Kind, Integer> byKind = new EnumMap<>(Kind.class);
        Map<Rejection.Kind, Integer> byRejection = new EnumMap<>(Rejection.Kind.class);
        for (int i = 0; i < UPLOADS; i++) {
            if (i == UPLOADS / 2) {
                // halfway, silo-0's honest update is in: later fuzz from silo-0 is a conflict, the rest as before
                c.submit("silo-0", 1, honest(g, "silo-0"));
            }
            Upload u = gen.next();
            byKind.merge(u.kind(), 1, Integer::sum);
            try {
                UploadReceipt r = c.submit(u.participant(), u.round(), u.body());
                fail("upload " + i + " (" + u.kind() + ": " + u.what() + ") was accepted: " + r);
            } catch (Rejection r) {
                assertFalse(r.getMessage() == null || r.getMessage().isBlank(), "upload " + i + " " + u.kind());
                byRejection.merge(r.kind(), 1, Integer::sum);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("upload " + i + " (" + u.kind() + ": " + u.what() + ") threw " + e, e);
            }
        }
        assertEquals(List.of("silo-0"), c.received(), "only the honest update counts");
        c.submit("silo-1", 1, honest(g, "silo-1"));
        c.submit("silo-2", 1, honest(g, "silo-2"));
        assertEquals(want, c.global(), "the aggregate is bit-identical to a run without the fuzz");
        assertEquals(wantDigest, c.status().globalDigest());
        assertEquals(1, c.history().size());
        assertEquals(3 * 0 + Fx.examples("silo-0") + Fx.examples("silo-1") + Fx.examples("silo-2"),
                c.history().get(0).examples());
        c.close();

        for (Kind k : Kind.values()) {
            assertTrue(byKind.getOrDefault(k, 0) >= 100, k + " was generated " + byKind.get(k) + " times");
        }
        assertTrue(byRejection.getOrDefault(Rejection.Kind.INVALID, 0) > UPLOADS / 3, byRejection.toString());
        assertTrue(byRejection.containsKey(Rejection.Kind.CONFLICT), byRejection.toString());
        assertTrue(byRejection.containsKey(Rejection.Kind.NOT_FOUND), byRejection.toString());
        assertTrue(byRejection.containsKey(Rejection.Kind.GONE), byRejection.toString());
    }

    /** Generates malformed uploads of round 1 around the global adapter {@code g}. */
    static final class Generator {
        private final SplittableRandom rnd;
        private final AdapterState g;

        Generator(SplittableRandom rnd, AdapterState g) {
            this.rnd = rnd;
            this.g = g;
        }

        Upload next() {
            Kind kind = Kind.values()[rnd.nextInt(Kind.values().length)];
            String who = SILOS.get(rnd.nextInt(SILOS.size()));
            Body b = Body.valid(g, who);
            String what;
            switch (kind) {
                case LENGTH_FIELD -> {
                    byte[] bytes = b.bytes();
                    long real = b.headerBytes().length;
                    long[] choices = {0, 1, 7, real - 1 - rnd.nextInt((int) real - 1), real + 1 + rnd.nextInt(64),
                            bytes.length, Long.MAX_VALUE, Long.MIN_VALUE, -1, 1L << 32, 9 << 20, rnd.nextLong()};
                    long n = choices[rnd.nextInt(choices.length)];
                    if (n == real) {
                        n = real + 8;
                    }
                    ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(n);
                    return new Upload(kind, who, 1, bytes, "length field " + n + " instead of " + real);
                }
                case TRUNCATED -> {
                    byte[] bytes = b.bytes();
                    int to = rnd.nextInt(bytes.length);
                    return new Upload(kind, who, 1, Arrays.copyOf(bytes, to), "cut to " + to + " bytes");
                }
                case TRAILING_BYTES -> {
                    byte[] bytes = b.bytes();
                    int extra = 1 + rnd.nextInt(16);
                    byte[] out = Arrays.copyOf(bytes, bytes.length + extra);
                    for (int i = bytes.length; i < out.length; i++) {
                        out[i] = (byte) rnd.nextInt(256);
                    }
                    return new Upload(kind, who, 1, out, extra + " bytes after the data");
                }
                case RANDOM_BYTES -> {
                    byte[] out = new byte[rnd.nextInt(200)];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = (byte) rnd.nextInt(256);
                    }
                    return new Upload(kind, who, 1, out, out.length + " random bytes");
                }
                case GARBAGE_HEADER -> {
                    StringBuilder s = new StringBuilder();
                    int len = 1 + rnd.nextInt(80);
                    String alphabet = "{}[]\":,0123456789abcdefFTN_.-+eE \\\u00e9\u20ac\ud83d\ude00";
                    for (int i = 0; i < len; i++) {
                        s.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                    }
                    byte[] h = s.toString().getBytes(StandardCharsets.UTF_8);
                    if (rnd.nextInt(4) == 0) {
                        h[rnd.nextInt(h.length)] = (byte) (0x80 + rnd.nextInt(0x40)); // invalid UTF-8 too
                    }
                    return new Upload(kind, who, 1, Body.frame(h, b.data()), "garbage header '" + s + "'");
                }
                case CUT_HEADER -> {
                    byte[] h = b.headerBytes();
                    int to = rnd.nextInt(h.length - 1);
                    return new Upload(kind, who, 1, Body.frame(Arrays.copyOf(h, to), b.data()), "header cut at " + to);
                }
                case HEADER_NOT_OBJECT -> {
                    String[] roots = {"[]", "\"x\"", "42", "null", "true", "[" + b.header() + "]", "", " "};
                    String h = roots[rnd.nextInt(roots.length)];
                    return new Upload(kind, who, 1, Body.frame(h.getBytes(StandardCharsets.UTF_8), b.data()), "root " + h);
                }
                case DTYPE -> {
                    Object[] dtypes = {"F16", "BF16", "F64", "I32", "I64", "U8", "BOOL", "f32", "", " F32", 4, null,
                            List.of("F32"), Map.of()};
                    Object d = dtypes[rnd.nextInt(dtypes.length)];
                    what = b.entry(b.pick(rnd)).put("dtype", d) + " -> dtype " + d;
                }
                case SHAPE -> {
                    String t = b.pick(rnd);
                    List<Object> shape = new ArrayList<>(b.shapeOf(t));
                    Object mutated = switch (rnd.nextInt(9)) {
                        case 0 -> { shape.add(1); yield shape; }
                        case 1 -> { shape.add(0, 1); yield shape; }
                        case 2 -> { shape.set(rnd.nextInt(shape.size()), 0); yield shape; }
                        case 3 -> { shape.set(rnd.nextInt(shape.size()), -1 - rnd.nextInt(5)); yield shape; }
                        case 4 -> { shape.set(rnd.nextInt(shape.size()), 1L << (31 + rnd.nextInt(32))); yield shape; }
                        case 5 -> { shape.set(rnd.nextInt(shape.size()), 1.5); yield shape; }
                        case 6 -> List.of();
                        case 7 -> "[" + shape + "]";
                        default -> { java.util.Collections.reverse(shape); shape.add(2); yield shape; }
                    };
                    if (mutated.equals(b.shapeOf(t))) {
                        mutated = List.of(7, 7);
                    }
                    b.entry(t).put("shape", mutated);
                    what = t + " shape " + mutated;
                }
                case OFFSETS -> {
                    String t = b.pick(rnd);
                    List<Object> off = new ArrayList<>(b.offsetsOf(t));
                    long begin = ((Number) off.get(0)).longValue();
                    long end = ((Number) off.get(1)).longValue();
                    Object mutated = switch (rnd.nextInt(9)) {
                        case 0 -> List.of(end, begin);
                        case 1 -> List.of(begin, end + 4 * (1 + rnd.nextInt(4)));
                        case 2 -> List.of(begin + 4, end);
                        case 3 -> List.of(-4, end);
                        case 4 -> List.of(begin, Long.MAX_VALUE - rnd.nextInt(3));
                        case 5 -> List.of(begin, end, end);
                        case 6 -> List.of(begin);
                        case 7 -> List.of((double) begin + 0.5, end);
                        default -> List.of(String.valueOf(begin), String.valueOf(end));
                    };
                    b.entry(t).put("data_offsets", mutated);
                    what = t + " offsets " + mutated;
                }
                case MISSING_TENSOR -> {
                    String t = b.pick(rnd);
                    b.remove(t);
                    what = "without " + t;
                }
                case EXTRA_TENSOR -> {
                    String[] names = {"head.w", "x.unknown", "", "a.core0 ", "A.CORE0", "a.core0\u0000"};
                    String name = names[rnd.nextInt(names.length)];
                    int n = 1 + rnd.nextInt(6);
                    b.add(name, new int[] {n}, new float[n]);
                    what = "extra tensor '" + name + "'";
                }
                case DUPLICATE_TENSOR -> {
                    String t = b.pick(rnd);
                    b.duplicateEntry(t);
                    what = t + " listed twice";
                }
                case ENTRY_NOT_OBJECT -> {
                    Object[] values = {5, "x", List.of(), null, true};
                    String t = b.pick(rnd);
                    Object v = values[rnd.nextInt(values.length)];
                    b.replaceEntry(t, v);
                    what = t + " -> " + v;
                }
                case UNKNOWN_FIELD -> {
                    String t = b.pick(rnd);
                    b.entry(t).put(rnd.nextBoolean() ? "offsets" : "weight", 1);
                    what = t + " with an unknown field";
                }
                case EXAMPLES -> {
                    String[] fixed = {"0", "-1", "-9223372036854775808", "9223372036854775807", "9223372036854775808",
                            "99999999999999999999", "1e3", "12abc", "", " ", "NaN", "0x10", "1.0", "\u0661\u0662",
                            String.valueOf(CAP + 1), String.valueOf(UpdateInfo.MAX_EXAMPLES),
                            String.valueOf(UpdateInfo.MAX_EXAMPLES + 1)};
                    String v = rnd.nextInt(3) == 0 ? String.valueOf(CAP + 1 + rnd.nextLong(Long.MAX_VALUE - CAP - 1))
                            : fixed[rnd.nextInt(fixed.length)];
                    if (rnd.nextInt(10) == 0) {
                        b.metadata().remove(UpdateInfo.EXAMPLES);
                        v = "(missing)";
                    } else {
                        b.metadata().put(UpdateInfo.EXAMPLES, v);
                    }
                    what = "examples " + v;
                }
                case STEPS -> {
                    String[] values = {"-1", "2147483648", "9223372036854775808", "abc", "1.5", "", "1e2"};
                    String v = values[rnd.nextInt(values.length)];
                    b.metadata().put(UpdateInfo.STEPS, v);
                    what = "steps " + v;
                }
                case EVAL -> {
                    String[][] cases = {
                        {UpdateInfo.EVAL_ACCURACY, "NaN"}, {UpdateInfo.EVAL_ACCURACY, "Infinity"},
                        {UpdateInfo.EVAL_ACCURACY, "1.5"}, {UpdateInfo.EVAL_ACCURACY, "-0.1"},
                        {UpdateInfo.EVAL_ACCURACY, "abc"}, {UpdateInfo.EVAL_LOSS, "-Infinity"},
                        {UpdateInfo.EVAL_LOSS, "NaN"}, {UpdateInfo.EVAL_LOSS, "1e999"}, {UpdateInfo.EVAL_LOSS, ""},
                        {UpdateInfo.EVAL_EXAMPLES, "-3"}, {UpdateInfo.EVAL_EXAMPLES, "x"}};
                    String[] kv = cases[rnd.nextInt(cases.length)];
                    b.metadata().put(kv[0], kv[1]);
                    what = kv[0] + "=" + kv[1];
                }
                case METADATA_SHAPE -> {
                    Object[] values = {"x", 5, List.of("a"), null, Map.of(UpdateInfo.EXAMPLES, 100),
                            Map.of(UpdateInfo.EXAMPLES, List.of("100")), Map.of(UpdateInfo.EXAMPLES, Map.of())};
                    Object v = values[rnd.nextInt(values.length)];
                    b.replaceMetadata(v);
                    what = "metadata " + v;
                }
                case DUPLICATE_METADATA -> {
                    if (rnd.nextBoolean()) {
                        b.duplicateMetadataKey(UpdateInfo.EXAMPLES, String.valueOf(1 + rnd.nextInt((int) CAP)));
                        what = "fedtt.examples twice";
                    } else {
                        b.duplicateMetadataObject();
                        what = "__metadata__ twice";
                    }
                }
                case NON_FINITE -> {
                    String t = b.pick(rnd);
                    float[] values = b.valuesOf(t);
                    int k = rnd.nextInt(values.length);
                    int[] bits = {0x7FC00000, 0x7F800000, 0xFF800000, 0x7F800001 + rnd.nextInt(0x7FFFFE),
                            0xFFC00000 | rnd.nextInt(0x3FFFFF)};
                    values[k] = Float.intBitsToFloat(bits[rnd.nextInt(bits.length)]);
                    what = t + "[" + k + "] = " + values[k];
                }
                case OVERSIZED -> {
                    byte[] valid = b.bytes();
                    byte[] out = Arrays.copyOf(valid, (int) MAX_BYTES + 1 + rnd.nextInt(1024));
                    return new Upload(kind, who, 1, out, out.length + " bytes");
                }
                case ROUND -> {
                    int[] rounds = {0, -1, 2, 3, Integer.MAX_VALUE, Integer.MIN_VALUE};
                    int r = rounds[rnd.nextInt(rounds.length)];
                    return new Upload(kind, who, r, b.bytes(), "round " + r);
                }
                case PARTICIPANT -> {
                    String[] names = {"silo-3", "", "../silo-0", "SILO-0", "silo-0 ", "silo-0/x", "\u0000", "evil"};
                    String p = names[rnd.nextInt(names.length)];
                    return new Upload(kind, p, 1, b.bytes(), "participant '" + p + "'");
                }
                default -> throw new IllegalStateException(kind.toString());
            }
            return new Upload(kind, who, 1, b.bytes(), what);
        }
    }

    /**
     * A safetensors upload built from parts so that any part can be broken: the header as a JSON tree
     * (written by {@link #json}, which can also write duplicate keys), and the tensors' data.
     */
    static final class Body {
        private final Map<String, Object> header = new LinkedHashMap<>();
        private final Map<String, float[]> values = new TreeMap<>();
        private final Map<String, int[]> shapes = new TreeMap<>();
        private String duplicateTensor;
        private String[] duplicateMetadataKey;
        private boolean duplicateMetadataObject;
        private final Map<String, Object> replaced = new LinkedHashMap<>();

        /** Honest updates and metadata by silo: computed once, copied into each body. */
        private static final Map<String, AdapterState> HONEST = new java.util.concurrent.ConcurrentHashMap<>();

        static Body valid(AdapterState global, String silo) {
            Body b = new Body();
            AdapterState u = HONEST.computeIfAbsent(silo, s -> Fx.pseudoUpdate(global, TRAINABLE, s, 1)
                    .withMetadata(Fx.info(s, 1).toMetadata()));
            b.header.put("__metadata__", new LinkedHashMap<String, Object>(u.metadata()));
            for (String t : TRAINABLE) {
                Tensor x = u.get(t);
                b.values.put(t, x.data().clone());
                b.shapes.put(t, x.shape());
            }
            b.layout();
            return b;
        }

        /** Recomputes dtype, shape and contiguous offsets of every tensor. */
        private void layout() {
            long at = 0;
            for (Map.Entry<String, float[]> e : values.entrySet()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("dtype", "F32");
                List<Object> shape = new ArrayList<>();
                for (int d : shapes.get(e.getKey())) {
                    shape.add(d);
                }
                entry.put("shape", shape);
                entry.put("data_offsets", List.of(at, at + 4L * e.getValue().length));
                at += 4L * e.getValue().length;
                header.put(e.getKey(), entry);
            }
        }

        String pick(SplittableRandom rnd) {
            return TRAINABLE.get(rnd.nextInt(TRAINABLE.size()));
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> entry(String t) {
            return (Map<String, Object>) header.get(t);
        }

        @SuppressWarnings("unchecked")
        List<Object> shapeOf(String t) {
            return (List<Object>) entry(t).get("shape");
        }

        @SuppressWarnings("unchecked")
        List<Object> offsetsOf(String t) {
            return (List<Object>) entry(t).get("data_offsets");
        }

        float[] valuesOf(String t) {
            return values.get(t);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> metadata() {
            return (Map<String, Object>) header.get("__metadata__");
        }

        void remove(String t) {
            values.remove(t);
            shapes.remove(t);
            header.remove(t);
            layout();
        }

        void add(String t, int[] shape, float[] data) {
            values.put(t, data);
            shapes.put(t, shape);
            layout();
        }

        void duplicateEntry(String t) {
            duplicateTensor = t;
        }

        void duplicateMetadataKey(String key, String value) {
            duplicateMetadataKey = new String[] {key, value};
        }

        void duplicateMetadataObject() {
            duplicateMetadataObject = true;
        }

        void replaceEntry(String t, Object v) {
            replaced.put(t, v);
        }

        void replaceMetadata(Object v) {
            replaced.put("__metadata__", v);
        }

        byte[] data() {
            ByteBuffer buf = ByteBuffer.allocate(values.values().stream().mapToInt(v -> 4 * v.length).sum())
                    .order(ByteOrder.LITTLE_ENDIAN);
            values.values().forEach(v -> {
                for (float f : v) {
                    buf.putFloat(f);
                }
            });
            return buf.array();
        }

        String header() {
            StringBuilder s = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<String, Object> e : header.entrySet()) {
                Object v = replaced.containsKey(e.getKey()) ? replaced.get(e.getKey()) : e.getValue();
                String value = json(v);
                if (e.getKey().equals("__metadata__") && duplicateMetadataKey != null) {
                    value = value.substring(0, value.length() - 1) + "," + json(duplicateMetadataKey[0]) + ":"
                            + json(duplicateMetadataKey[1]) + "}";
                }
                s.append(first ? "" : ",").append(json(e.getKey())).append(':').append(value);
                if (e.getKey().equals(duplicateTensor) || e.getKey().equals("__metadata__") && duplicateMetadataObject) {
                    s.append(',').append(json(e.getKey())).append(':').append(value);
                }
                first = false;
            }
            return s.append('}').toString();
        }

        byte[] headerBytes() {
            return header().getBytes(StandardCharsets.UTF_8);
        }

        byte[] bytes() {
            return frame(headerBytes(), data());
        }

        static byte[] frame(byte[] header, byte[] data) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.writeBytes(header);
            out.writeBytes(data);
            return out.toByteArray();
        }

        /** Minimal JSON writer: maps, lists, strings, numbers, booleans, null. */
        static String json(Object v) {
            if (v == null) {
                return "null";
            }
            if (v instanceof String s) {
                StringBuilder b = new StringBuilder("\"");
                for (char c : s.toCharArray()) {
                    if (c == '"' || c == '\\') {
                        b.append('\\').append(c);
                    } else if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
                return b.append('"').toString();
            }
            if (v instanceof Map<?, ?> m) {
                StringBuilder b = new StringBuilder("{");
                m.forEach((k, x) -> b.append(b.length() > 1 ? "," : "").append(json(k)).append(':').append(json(x)));
                return b.append('}').toString();
            }
            if (v instanceof List<?> l) {
                StringBuilder b = new StringBuilder("[");
                l.forEach(x -> b.append(b.length() > 1 ? "," : "").append(json(x)));
                return b.append(']').toString();
            }
            return String.valueOf(v);
        }
    }

    /** The generator's valid baseline is accepted, so the rejections above are about what was broken. */
    @Test
    void theUnbrokenBaselineIsAccepted() {
        RoundCoordinator c = coordinator();
        AdapterState g = c.global();
        for (String s : SILOS) {
            c.submit(s, 1, Body.valid(g, s).bytes());
        }
        assertEquals(1, c.history().size());
        c.close();
    }

    /** Found by the fuzz: Long.parseLong reads Arabic-Indic digits and a '+' sign; the wire format is ASCII. */
    @Test
    void anExampleCountIsAsciiDigits() {
        for (String v : List.of("\u0661\u0662", "\uff11\uff12", "+12", "1_000")) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> UpdateInfo.fromMetadata(Map.of(UpdateInfo.EXAMPLES, v)));
            assertTrue(e.getMessage().contains("'fedtt.examples' is not an integer"), e.getMessage());
        }
        assertEquals(12, UpdateInfo.fromMetadata(Map.of(UpdateInfo.EXAMPLES, " 12 ")).examples());
    }
}
