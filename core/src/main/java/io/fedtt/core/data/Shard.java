package io.fedtt.core.data;

import java.util.Arrays;

/** One client's share of a dataset: a name and the ascending indices of its examples. */
public record Shard(String name, int[] indices) {

    public Shard {
        indices = indices.clone();
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    public int size() {
        return indices.length;
    }

    /** How many of this shard's examples carry each label (empty for a prompt-response dataset). */
    public int[] labelCounts(Dataset data) {
        int[] counts = new int[data.labels().size()];
        if (data.isPromptResponse()) {
            return counts;
        }
        for (int i : indices) {
            counts[data.examples().get(i).label()]++;
        }
        return counts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shard s && s.name.equals(name) && Arrays.equals(s.indices, indices);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(indices);
    }

    @Override
    public String toString() {
        return "Shard[" + name + ", " + indices.length + " examples]";
    }
}
