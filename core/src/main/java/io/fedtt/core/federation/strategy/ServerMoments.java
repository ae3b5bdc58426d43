package io.fedtt.core.federation.strategy;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A server optimizer's moments, one m (and v) tensor per adapter tensor that has taken a step, and
 * their binary form for {@link AggregateResult#serverState()}: a safetensors file with tensors
 * {@code m/<name>} and {@code v/<name>} in F32, so that decoding gives back the exact floats (a
 * restarted coordinator must continue bit for bit). A tensor without moments (never trainable yet)
 * starts at zero.
 */
final class ServerMoments {

    private static final String M = "m/";
    private static final String V = "v/";
    private static final String KIND = "fedtt.serverOptimizer";

    private final Map<String, float[]> first;
    private final Map<String, float[]> second;

    private ServerMoments(Map<String, float[]> first, Map<String, float[]> second) {
        this.first = first;
        this.second = second;
    }

    /**
     * The moments in {@code state} (null: none yet). State written by another optimizer kind is
     * dropped, not misread: a job's optimizer cannot change mid-run, so this only guards odd stores.
     */
    static ServerMoments decode(byte[] state, ServerOptimizer.Kind kind) {
        Map<String, float[]> m = new TreeMap<>();
        Map<String, float[]> v = new TreeMap<>();
        if (state != null) {
            // The coordinator's own store, so trusted: no adapter-upload limits on size or values
            // (the moments of a large LoRA exceed them, and a restart must read what a run wrote).
            AdapterState s = SafetensorsCodec.decode(state, SafetensorsCodec.Limits.forModelWeights());
            if (kind.wireName().equals(s.metadata().get(KIND))) {
                s.tensors().forEach((name, t) -> {
                    if (name.startsWith(M)) {
                        m.put(name.substring(M.length()), t.data().clone());
                    } else if (name.startsWith(V)) {
                        v.put(name.substring(V.length()), t.data().clone());
                    }
                });
            }
        }
        return new ServerMoments(m, v);
    }

    /** The first moment of {@code name}, created at zero when absent; updated in place by a step. */
    float[] first(String name, int length) {
        return first.computeIfAbsent(name, k -> new float[length]);
    }

    /** The second moment of {@code name}, created at zero when absent. */
    float[] second(String name, int length) {
        return second.computeIfAbsent(name, k -> new float[length]);
    }

    /** Whether any moment is held for {@code name} (a tensor that never trained has none). */
    boolean has(String name) {
        return first.containsKey(name) || second.containsKey(name);
    }

    /** The moments as F32 safetensors; shapes are flat, since only the values matter. */
    byte[] encode(ServerOptimizer.Kind kind) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        first.forEach((name, x) -> t.put(M + name, new Tensor(new int[] {x.length}, x)));
        second.forEach((name, x) -> t.put(V + name, new Tensor(new int[] {x.length}, x)));
        return SafetensorsCodec.encode(new AdapterState(t, Map.of(KIND, kind.wireName())), DType.F32);
    }
}
