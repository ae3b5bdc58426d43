package io.fedtt.core.data;

import java.util.Map;
import java.util.Objects;

/**
 * One labelled text. {@code label} is the index of the label in the manifest's label list;
 * {@code fields} holds every field of the record as text (the text and label fields too), so a
 * partitioner can split by any of them (e.g. {@code group}).
 */
public record Example(String text, int label, Map<String, String> fields) {

    public Example {
        Objects.requireNonNull(text, "text");
        if (label < 0) {
            throw new IllegalArgumentException("label index must be >= 0, got " + label);
        }
        fields = Map.copyOf(fields);
    }

    public Example(String text, int label) {
        this(text, label, Map.of());
    }

    /** The value of a field, or null when the record had none. */
    public String field(String name) {
        return fields.get(name);
    }
}
