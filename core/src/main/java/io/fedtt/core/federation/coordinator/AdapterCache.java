package io.fedtt.core.federation.coordinator;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.Digest;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.wire.Encoding;
import io.fedtt.core.wire.PackedBody;
import io.fedtt.core.wire.PackedCodec;
import io.fedtt.core.wire.WireLayout;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The current global adapter as served to clients, in two formats: plain safetensors in the job's
 * safetensors dtype, and the packed format in the job's encoding (rounded to nearest, so that a
 * tensor that did not change encodes to the same bytes in every version). Each has a full body and
 * partial bodies holding only the tensors changed since a round K the client already has (FedTT+
 * rounds train a few cores, so a client that kept its copy downloads only those; a tensor no round
 * trains never travels again after the first download). Bodies are encoded on first use and kept
 * until the global changes. Not thread-safe: the coordinator calls it under its lock.
 */
final class AdapterCache {

    private final DType wire;
    private final Encoding encoding;
    private final WireLayout layout;
    private GlobalVersion current;
    /** The last completed round each tensor was trainable in (absent = never changed since round 0). */
    private final Map<String, Integer> lastChanged = new HashMap<>();
    private final Map<Integer, AdapterPayload> partials = new HashMap<>();
    private final Map<Integer, AdapterPayload> packedPartials = new HashMap<>();
    private AdapterPayload plain;
    private AdapterPayload packed;

    AdapterCache(DType wire, Encoding encoding, WireLayout layout, GlobalVersion initial) {
        this.wire = wire;
        this.encoding = encoding;
        this.layout = layout;
        this.current = initial;
    }

    /** Round {@code v.version()} completed, changing {@code trained}: {@code v} is the new global. */
    void advance(GlobalVersion v, Collection<String> trained) {
        current = v;
        markChanged(trained, v.version());
        partials.clear();
        packedPartials.clear();
        plain = null;
        packed = null;
    }

    /** Records that {@code names} were trainable in completed round {@code round} (also used on restore). */
    void markChanged(Collection<String> names, int round) {
        for (String n : names) {
            lastChanged.put(n, round);
        }
    }

    GlobalVersion current() {
        return current;
    }

    WireLayout layout() {
        return layout;
    }

    /** The master copy as stored: float32 safetensors, whatever the job's encoding (the final adapter). */
    AdapterPayload master() {
        return new AdapterPayload(current.version(), current.bytes(), current.digest(), false);
    }

    /** The whole current global adapter as plain safetensors in the job's safetensors dtype. */
    AdapterPayload full() {
        if (plain == null) {
            byte[] body = wire == DType.F32 ? current.bytes() : SafetensorsCodec.encode(current.adapter(), wire);
            plain = new AdapterPayload(current.version(), body, wire == DType.F32 ? current.digest() : Digest.sha256Hex(body),
                    false);
        }
        return plain;
    }

    /** The whole current global adapter as a packed body in the job's encoding. */
    AdapterPayload packedFull() {
        if (packed == null) {
            byte[] body = packedBody(current.adapter());
            packed = new AdapterPayload(current.version(), body, Digest.sha256Hex(body), false);
        }
        return packed;
    }

    /**
     * The global adapter round {@code forRound} trains from, whole ({@code since} &lt;= 0) or only the
     * tensors trainable in a completed round &gt;= {@code since}.
     *
     * @param packedFormat the packed format in the job's encoding, else plain safetensors
     * @throws Rejection NOT_FOUND for a round after the current one, GONE for a superseded one,
     *     INVALID for {@code since} after {@code forRound}
     */
    AdapterPayload forRound(int forRound, int since, boolean packedFormat) {
        int currentRound = current.version() + 1;
        if (forRound > currentRound || forRound < 1) {
            throw new Rejection(Rejection.Kind.NOT_FOUND, "no adapter for round " + forRound
                    + " (the current global adapter is the one of round " + currentRound + ")");
        }
        if (forRound < currentRound) {
            throw new Rejection(Rejection.Kind.GONE, "the adapter of round " + forRound
                    + " is superseded; the current one is round " + currentRound + "'s");
        }
        if (since <= 0) {
            return packedFormat ? packedFull() : full();
        }
        if (since > forRound) {
            throw new Rejection(Rejection.Kind.INVALID, "since=" + since + " is after round " + forRound);
        }
        Map<Integer, AdapterPayload> cache = packedFormat ? packedPartials : partials;
        return cache.computeIfAbsent(since, k -> {
            AdapterState changed = current.adapter().select(n -> lastChanged.getOrDefault(n, 0) >= k);
            byte[] body = packedFormat ? packedBody(changed, versionOnly(current.adapter().metadata()))
                    : SafetensorsCodec.encode(changed, wire);
            return new AdapterPayload(current.version(), body, Digest.sha256Hex(body), true);
        });
    }

    /**
     * A packed partial body's metadata: only what changes from version to version (job and version). The
     * rest (adapter type, init scheme, the names of base-copied tensors: about 1.3 KB for MiniLM) is the
     * same in every version, so a client keeps it from its full download ({@link
     * io.fedtt.core.wire.HeldGlobal#merge}) instead of receiving it every round.
     */
    private static Map<String, String> versionOnly(Map<String, String> metadata) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (String key : new String[] {RoundCoordinator.META_JOB, RoundCoordinator.META_VERSION}) {
            if (metadata.containsKey(key)) {
                out.put(key, metadata.get(key));
            }
        }
        return out;
    }

    private byte[] packedBody(AdapterState tensors) {
        return packedBody(tensors, current.adapter().metadata());
    }

    /** Values rounded to nearest: the same tensor gives the same bytes in a partial and a full body. */
    private byte[] packedBody(AdapterState tensors, Map<String, String> metadata) {
        return PackedCodec.encode(layout, encoding, PackedBody.Kind.VALUES, tensors, metadata, null);
    }
}
