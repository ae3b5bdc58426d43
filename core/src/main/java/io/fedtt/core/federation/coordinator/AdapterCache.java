package io.fedtt.core.federation.coordinator;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.Digest;
import io.fedtt.core.tensor.SafetensorsCodec;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The current global adapter as served to clients: the full body, and partial bodies holding only
 * the tensors changed since a round K the client already has (FedTT+ rounds train a few cores, so
 * a client that kept its copy downloads only those). Partial bodies are encoded once per K and kept
 * until the global changes. Not thread-safe: the coordinator calls it under its lock.
 */
final class AdapterCache {

    private final DType wire;
    private GlobalVersion current;
    /** The last completed round each tensor was trainable in (absent = never changed since round 0). */
    private final Map<String, Integer> lastChanged = new HashMap<>();
    private final Map<Integer, AdapterPayload> partials = new HashMap<>();

    AdapterCache(DType wire, GlobalVersion initial) {
        this.wire = wire;
        this.current = initial;
    }

    /** Round {@code v.version()} completed, changing {@code trained}: {@code v} is the new global. */
    void advance(GlobalVersion v, Collection<String> trained) {
        current = v;
        markChanged(trained, v.version());
        partials.clear();
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

    /** The whole current global adapter. */
    AdapterPayload full() {
        return new AdapterPayload(current.version(), current.bytes(), current.digest(), false);
    }

    /**
     * The global adapter round {@code forRound} trains from, whole ({@code since} &lt;= 0) or only the
     * tensors trainable in a completed round &gt;= {@code since}.
     *
     * @throws Rejection NOT_FOUND for a round after the current one, GONE for a superseded one,
     *     INVALID for {@code since} after {@code forRound}
     */
    AdapterPayload forRound(int forRound, int since) {
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
            return full();
        }
        if (since > forRound) {
            throw new Rejection(Rejection.Kind.INVALID, "since=" + since + " is after round " + forRound);
        }
        return partials.computeIfAbsent(since, k -> {
            AdapterState changed = current.adapter().select(n -> lastChanged.getOrDefault(n, 0) >= k);
            byte[] body = SafetensorsCodec.encode(changed, wire);
            return new AdapterPayload(current.version(), body, Digest.sha256Hex(body), true);
        });
    }
}
