package io.fedtt.core.wire;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A client's side of uploading in an {@link Encoding}, with error feedback. In float32 an update
 * travels as its values, exactly. In a lossy encoding it travels as its change from the global the
 * round started from, plus what rounding withheld last time: with {@code d} the round's delta and
 * {@code e} the residual, the client sends {@code s = Q(d + e)} and keeps {@code e' = d + e - s}.
 * So the sum of what a client sent over its rounds is the sum of its true deltas minus one residual,
 * which is at most one rounding step: quantization error does not pile up (EF-SGD's argument,
 * Karimireddy et al. 2019). A tensor frozen this round keeps its residual until it trains again.
 * Not thread-safe: one per client.
 */
public final class UpdateEncoder {

    private final WireLayout layout;
    private final Map<String, float[]> residual = new HashMap<>();

    public UpdateEncoder(WireLayout layout) {
        this.layout = layout;
    }

    /**
     * The upload body of {@code update} (the trainable tensors' new values).
     *
     * @param base the global values the round trained from (the client's decoded copy); read only in
     *     a lossy encoding
     * @param seed stochastic rounding's seed (the task's), so that encoding the same update again
     *     gives the same body
     * @throws IllegalArgumentException naming a tensor that is not in the layout or base, or not finite
     */
    public byte[] encode(Encoding encoding, AdapterState update, AdapterState base, Map<String, String> metadata,
                         long seed) {
        if (!encoding.lossy()) {
            return PackedCodec.encode(layout, encoding, PackedBody.Kind.VALUES, update, metadata, null);
        }
        Map<String, Tensor> compensated = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> t : update.tensors().entrySet()) {
            String name = t.getKey();
            if (!base.contains(name)) {
                throw new IllegalArgumentException("tensor '" + name + "' is not in the global adapter this round trained from");
            }
            float[] now = t.getValue().data();
            float[] from = base.get(name).data();
            float[] e = residual.get(name);
            float[] d = new float[now.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = now[i] - from[i] + (e == null ? 0f : e[i]);
            }
            compensated.put(name, new Tensor(t.getValue().shape(), d));
        }
        byte[] body = PackedCodec.encode(layout, encoding, PackedBody.Kind.DELTA, new AdapterState(compensated), metadata,
                new SplittableRandom(seed));
        AdapterState sent = PackedCodec.decode(body, layout, Long.MAX_VALUE).tensors();
        compensated.forEach((name, d) -> {
            float[] s = sent.get(name).data();
            float[] e = new float[s.length];
            for (int i = 0; i < e.length; i++) {
                e[i] = d.data()[i] - s[i];
            }
            residual.put(name, e);
        });
        return body;
    }

    /** What rounding has withheld so far, by tensor (a copy; empty in float32). */
    public Map<String, float[]> residuals() {
        Map<String, float[]> out = new HashMap<>();
        residual.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }
}
