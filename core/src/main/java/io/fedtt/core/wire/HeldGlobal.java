package io.fedtt.core.wire;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Digest;
import io.fedtt.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The global adapter a client holds in the packed format: every tensor's bytes as they came over
 * the wire, the values they decode to, and the SHA-256 of the full body they make up. A partial
 * download (the tensors changed since the version held) merges into it; the merged copy's digest
 * is compared with the one the task names, so a client never trains from a copy that differs from
 * the server's by a single byte.
 *
 * @param digest sha256 hex of the canonical full body ({@link PackedCodec#assemble} of all segments)
 */
public record HeldGlobal(Encoding encoding, Map<Integer, byte[]> segments, AdapterState state, String digest) {

    public HeldGlobal {
        segments = Map.copyOf(segments);
    }

    /**
     * A full download.
     *
     * @throws PackedFormatException when it does not hold every tensor of the layout or holds deltas
     */
    public static HeldGlobal of(byte[] body, PackedBody full, WireLayout layout) {
        requireValues(full);
        if (full.segments().size() != layout.size()) {
            throw new PackedFormatException("a full global adapter must hold all " + layout.size()
                    + " tensors of the layout, this one holds " + full.segments().size());
        }
        return new HeldGlobal(full.encoding(), full.segments(), full.tensors(), Digest.sha256Hex(body));
    }

    /**
     * This copy with a partial download's tensors replaced, and the digest of the full body they make up.
     *
     * @throws PackedFormatException when the partial body is in another encoding or holds deltas
     */
    public HeldGlobal merge(PackedBody partial, WireLayout layout) {
        requireValues(partial);
        if (partial.encoding() != encoding) {
            throw new PackedFormatException("a partial global adapter in " + partial.encoding().wireName()
                    + " cannot update a copy held in " + encoding.wireName());
        }
        Map<Integer, byte[]> merged = new TreeMap<>(segments);
        merged.putAll(partial.segments());
        Map<String, Tensor> values = new LinkedHashMap<>(state.tensors());
        values.putAll(partial.tensors().tensors());
        // A partial body carries only the metadata that changes (job, version); the rest is the held copy's.
        Map<String, String> metadata = new TreeMap<>(state.metadata());
        metadata.putAll(partial.tensors().metadata());
        byte[] full = PackedCodec.assemble(layout, encoding, PackedBody.Kind.VALUES, metadata, merged);
        return new HeldGlobal(encoding, merged, new AdapterState(values, metadata), Digest.sha256Hex(full));
    }

    private static void requireValues(PackedBody b) {
        if (b.kind() != PackedBody.Kind.VALUES) {
            throw new PackedFormatException("a global adapter must carry values, this body carries " + b.kind());
        }
    }
}
