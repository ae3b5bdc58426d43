package io.fedtt.core.tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A named set of tensors plus string metadata: an adapter, an update, or a global state.
 * Names are kept in sorted order so that encoding and digests are deterministic.
 */
public final class AdapterState {

    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    public AdapterState(Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.tensors = Collections.unmodifiableMap(new TreeMap<>(tensors));
        this.metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    public AdapterState(Map<String, Tensor> tensors) {
        this(tensors, Map.of());
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new NoSuchElementException("no tensor named '" + name + "'");
        }
        return t;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public long parameterCount() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            n += t.size();
        }
        return n;
    }

    /** The tensors whose names pass the filter, with the same metadata. */
    public AdapterState select(Predicate<String> keep) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (keep.test(k)) {
                out.put(k, v);
            }
        });
        return new AdapterState(out, metadata);
    }

    /** This state with the given tensors replaced or added. */
    public AdapterState with(Map<String, Tensor> replacements) {
        Map<String, Tensor> out = new LinkedHashMap<>(tensors);
        out.putAll(replacements);
        return new AdapterState(out, metadata);
    }

    public AdapterState withMetadata(Map<String, String> extra) {
        Map<String, String> m = new LinkedHashMap<>(metadata);
        m.putAll(extra);
        return new AdapterState(tensors, m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdapterState s && tensors.equals(s.tensors) && metadata.equals(s.metadata);
    }

    @Override
    public int hashCode() {
        return tensors.hashCode() * 31 + metadata.hashCode();
    }

    @Override
    public String toString() {
        return "AdapterState" + tensors.keySet() + " (" + parameterCount() + " parameters)";
    }
}
