package io.fedtt.core.data;

import java.util.ArrayList;
import java.util.List;

/** Examples read from one file, with the label names their indices refer to. */
public record Dataset(String source, List<String> labels, List<Example> examples) {

    public Dataset {
        labels = List.copyOf(labels);
        examples = List.copyOf(examples);
        for (Example e : examples) {
            if (e.label() >= labels.size()) {
                throw new IllegalArgumentException(source + ": label index " + e.label() + " is outside the "
                        + labels.size() + " labels " + labels);
            }
        }
    }

    public int size() {
        return examples.size();
    }

    /** How many examples carry each label, in label order. */
    public int[] labelCounts() {
        int[] counts = new int[labels.size()];
        for (Example e : examples) {
            counts[e.label()]++;
        }
        return counts;
    }

    /** The examples at the given indices, in that order (a client's shard, say). */
    public Dataset subset(int[] indices) {
        List<Example> picked = new ArrayList<>(indices.length);
        for (int i : indices) {
            picked.add(examples.get(i));
        }
        return new Dataset(source, labels, picked);
    }

    /** The first {@code n} examples (all when there are fewer), e.g. to bound evaluation time. */
    public Dataset head(int n) {
        return n >= examples.size() ? this : new Dataset(source, labels, examples.subList(0, n));
    }
}
