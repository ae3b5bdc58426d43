package io.fedtt.core.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Examples read from one file, with the label names their indices refer to. A classification dataset
 * has labels and labelled texts; a prompt-response (causal-lm) dataset has no labels and only
 * prompt-response examples ({@link Example#promptResponse}); the two kinds do not mix.
 */
public record Dataset(String source, List<String> labels, List<Example> examples) {

    public Dataset {
        labels = List.copyOf(labels);
        examples = List.copyOf(examples);
        boolean promptResponse = labels.isEmpty();
        for (int i = 0; i < examples.size(); i++) {
            Example e = examples.get(i);
            if (promptResponse && !e.isPromptResponse()) {
                throw new IllegalArgumentException(source + ": example " + (i + 1) + " is a labelled text, but the"
                        + " dataset has no labels (a dataset without labels holds prompt-response examples)");
            }
            if (!promptResponse && e.isPromptResponse()) {
                throw new IllegalArgumentException(source + ": example " + (i + 1) + " is a prompt-response example,"
                        + " but the dataset has labels " + labels);
            }
            if (!promptResponse && e.label() >= labels.size()) {
                throw new IllegalArgumentException(source + ": label index " + e.label() + " is outside the "
                        + labels.size() + " labels " + labels);
            }
        }
    }

    /** A causal-lm dataset: prompt-response examples, no labels. */
    public static Dataset promptResponse(String source, List<Example> examples) {
        return new Dataset(source, List.of(), examples);
    }

    /** Whether this is a prompt-response (causal-lm) dataset: it has no labels. */
    public boolean isPromptResponse() {
        return labels.isEmpty();
    }

    public int size() {
        return examples.size();
    }

    /** How many examples carry each label, in label order (empty for a prompt-response dataset). */
    public int[] labelCounts() {
        int[] counts = new int[labels.size()];
        if (isPromptResponse()) {
            return counts;
        }
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
