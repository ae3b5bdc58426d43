package io.fedtt.core.wire;

import io.fedtt.core.tensor.AdapterState;
import java.util.Map;
import java.util.Objects;

/**
 * A decoded packed body: which tensors it holds (as float32, already decoded), in which encoding it
 * travelled, and whether they are values or deltas from the global the round trains from.
 *
 * @param segments each present tensor's encoded bytes as they were on the wire, by layout index
 *     (a client keeps them to rebuild the canonical full body and check its digest)
 */
public record PackedBody(Encoding encoding, Kind kind, AdapterState tensors, Map<Integer, byte[]> segments) {

    /** What the tensors are. */
    public enum Kind {
        /** the tensors' values (global adapters; float32 updates) */
        VALUES(0),
        /** the change from the global adapter the round trained from (updates in a lossy encoding) */
        DELTA(1);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind fromCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    public PackedBody {
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tensors, "tensors");
        segments = Map.copyOf(segments);
    }
}
