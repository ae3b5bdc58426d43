package io.fedtt.core.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fedtt.core.privacy.secagg.KeyAdvert;
import io.fedtt.core.privacy.secagg.Reveal;
import io.fedtt.core.privacy.secagg.SealedShare;
import io.fedtt.core.privacy.secagg.SecureSum;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bodies of the secure-aggregation protocol (under {@code .../rounds/{r}/secagg}): JSON for keys,
 * shares, reveals and the stage view (bytes in base64), and a binary body for a masked input: the
 * magic {@code FTSA}, a format byte (1), three zero bytes, a little-endian int32 header length, the
 * header (JSON: session and the {@link UpdateInfo} metadata, which stay in the clear), then the
 * input's 64-bit words, little-endian.
 */
public final class SecureWire {

    private static final byte[] MAGIC = {'F', 'T', 'S', 'A'};
    private static final int FORMAT = 1;
    private static final int MAX_HEADER = 64 * 1024;
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private SecureWire() {
    }

    /**
     * What a participant sees of the open try's session.
     *
     * @param weight        the participant's configured weight (its input is weighted by examples times it)
     * @param roster        from stage share on
     * @param contributors  from stage mask on
     * @param inbox         from stage mask on: the sealed shares addressed to the participant
     * @param survivors     from stage unmask on
     * @param dropped       from stage unmask on
     */
    public record View(String session, SecureSum.Stage stage, int round, int threshold, double weight,
                       long stageDeadlineEpochMillis, List<KeyAdvert> roster, List<String> contributors,
                       List<SealedShare> inbox, List<String> survivors, List<String> dropped) {
    }

    /** A masked input as it arrives: the session, the update's report and the words. */
    public record MaskedInput(String session, UpdateInfo info, long[] words) {
    }

    // ================================================================ view

    public static byte[] view(View v) {
        ObjectNode o = WireJson.MAPPER.createObjectNode();
        o.put("session", v.session());
        o.put("stage", v.stage().wireName());
        o.put("round", v.round());
        o.put("threshold", v.threshold());
        o.put("weight", v.weight());
        o.put("stageDeadlineEpochMillis", v.stageDeadlineEpochMillis());
        ArrayNode r = o.putArray("roster");
        for (KeyAdvert a : v.roster()) {
            r.add(advert(a));
        }
        strings(o.putArray("contributors"), v.contributors());
        ArrayNode in = o.putArray("inbox");
        for (SealedShare s : v.inbox()) {
            in.addObject().put("from", s.from()).put("to", s.to()).put("ciphertext", B64.encodeToString(s.ciphertext()));
        }
        strings(o.putArray("survivors"), v.survivors());
        strings(o.putArray("dropped"), v.dropped());
        return WireJson.bytes(o);
    }

    public static View readView(byte[] body) {
        JsonNode o = WireJson.tree(body);
        List<KeyAdvert> roster = new ArrayList<>();
        o.path("roster").forEach(n -> roster.add(readAdvert(n)));
        List<SealedShare> inbox = new ArrayList<>();
        o.path("inbox").forEach(n -> inbox.add(new SealedShare(text(n, "from"), text(n, "to"), bytes(n, "ciphertext"))));
        return new View(text(o, "session"), SecureSum.Stage.parse(text(o, "stage")), o.path("round").asInt(),
                o.path("threshold").asInt(), o.path("weight").asDouble(), o.path("stageDeadlineEpochMillis").asLong(),
                roster, readStrings(o.path("contributors")), inbox, readStrings(o.path("survivors")),
                readStrings(o.path("dropped")));
    }

    // ================================================================ stage messages

    public static byte[] keys(String session, KeyAdvert a) {
        ObjectNode o = WireJson.MAPPER.createObjectNode();
        o.put("session", session);
        o.set("keys", advert(a));
        return WireJson.bytes(o);
    }

    /** @throws IllegalArgumentException naming the field at fault */
    public static KeyAdvert readKeys(byte[] body, String participant) {
        KeyAdvert a = readAdvert(object(body).path("keys"));
        if (!a.participant().equals(participant)) {
            throw new IllegalArgumentException("keys.participant '" + a.participant() + "' is not the sender '"
                    + participant + "'");
        }
        return a;
    }

    public static byte[] shares(String session, List<SealedShare> shares) {
        ObjectNode o = WireJson.MAPPER.createObjectNode();
        o.put("session", session);
        ArrayNode a = o.putArray("shares");
        for (SealedShare s : shares) {
            a.addObject().put("to", s.to()).put("ciphertext", B64.encodeToString(s.ciphertext()));
        }
        return WireJson.bytes(o);
    }

    public static List<SealedShare> readShares(byte[] body, String from) {
        List<SealedShare> out = new ArrayList<>();
        JsonNode a = object(body).path("shares");
        if (!a.isArray()) {
            throw new IllegalArgumentException("'shares' must be an array");
        }
        a.forEach(n -> out.add(new SealedShare(from, text(n, "to"), bytes(n, "ciphertext"))));
        return out;
    }

    public static byte[] reveals(String session, List<Reveal> reveals) {
        ObjectNode o = WireJson.MAPPER.createObjectNode();
        o.put("session", session);
        ArrayNode a = o.putArray("reveals");
        for (Reveal r : reveals) {
            a.addObject().put("owner", r.owner()).put("secret", r.secret().wireName())
                    .put("share", B64.encodeToString(r.share()));
        }
        return WireJson.bytes(o);
    }

    public static List<Reveal> readReveals(byte[] body) {
        List<Reveal> out = new ArrayList<>();
        JsonNode a = object(body).path("reveals");
        if (!a.isArray()) {
            throw new IllegalArgumentException("'reveals' must be an array");
        }
        a.forEach(n -> out.add(new Reveal(text(n, "owner"), Reveal.Secret.parse(text(n, "secret")), bytes(n, "share"))));
        return out;
    }

    /** The session a JSON stage message names. */
    public static String sessionOf(byte[] body) {
        return text(object(body), "session");
    }

    // ================================================================ masked input

    public static byte[] masked(String session, UpdateInfo info, long[] words) {
        ObjectNode h = WireJson.MAPPER.createObjectNode();
        h.put("session", session);
        ObjectNode m = h.putObject("metadata");
        info.toMetadata().forEach(m::put);
        byte[] header = WireJson.bytes(h);
        ByteBuffer b = ByteBuffer.allocate(12 + header.length + 8 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) FORMAT).put(new byte[3]).putInt(header.length).put(header);
        b.asLongBuffer().put(words);
        return b.array();
    }

    /**
     * Reads a masked input.
     *
     * @throws IllegalArgumentException naming what is malformed
     */
    public static MaskedInput readMasked(byte[] body) {
        if (body.length < 12 || body[0] != MAGIC[0] || body[1] != MAGIC[1] || body[2] != MAGIC[2] || body[3] != MAGIC[3]) {
            throw new IllegalArgumentException("not a masked input (the body does not start with FTSA)");
        }
        if (body[4] != FORMAT) {
            throw new IllegalArgumentException("masked input format " + body[4] + " is not supported (expected " + FORMAT + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        int h = b.getInt(8);
        if (h < 2 || h > MAX_HEADER || 12L + h > body.length) {
            throw new IllegalArgumentException("masked input header length " + h + " does not fit the body of "
                    + body.length + " bytes");
        }
        int rest = body.length - 12 - h;
        if (rest % 8 != 0) {
            throw new IllegalArgumentException("masked input words take " + rest + " bytes, not a multiple of 8");
        }
        JsonNode header = WireJson.tree(java.util.Arrays.copyOfRange(body, 12, 12 + h));
        Map<String, String> meta = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = header.path("metadata").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            meta.put(e.getKey(), e.getValue().asText());
        }
        UpdateInfo info = UpdateInfo.fromMetadata(meta);
        long[] words = new long[rest / 8];
        ByteBuffer.wrap(body, 12 + h, rest).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(words);
        return new MaskedInput(text(header, "session"), info, words);
    }

    // ================================================================ helpers

    private static ObjectNode advert(KeyAdvert a) {
        ObjectNode n = WireJson.MAPPER.createObjectNode();
        n.put("participant", a.participant());
        n.put("encryptionKey", B64.encodeToString(a.encryptionKey()));
        n.put("maskingKey", B64.encodeToString(a.maskingKey()));
        n.put("selfMaskCommitment", B64.encodeToString(a.selfMaskCommitment()));
        n.put("maskingKeyCommitment", B64.encodeToString(a.maskingKeyCommitment()));
        return n;
    }

    private static KeyAdvert readAdvert(JsonNode n) {
        return new KeyAdvert(text(n, "participant"), bytes(n, "encryptionKey"), bytes(n, "maskingKey"),
                bytes(n, "selfMaskCommitment"), bytes(n, "maskingKeyCommitment"));
    }

    private static JsonNode object(byte[] body) {
        JsonNode o = WireJson.tree(body);
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        return o;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException("'" + field + "' must be a non-empty string");
        }
        return v.asText();
    }

    private static byte[] bytes(JsonNode n, String field) {
        try {
            return B64D.decode(text(n, field));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + field + "' is not base64: " + e.getMessage());
        }
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    private static List<String> readStrings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
