package io.fedtt.core.model;

import java.util.List;

/** A model's config.json differs from the job's {@code spec.model.architecture}; names every differing field. */
public final class ArchitectureMismatchException extends IllegalArgumentException {

    private final List<String> differences;

    public ArchitectureMismatchException(String message, List<String> differences) {
        super(message);
        this.differences = List.copyOf(differences);
    }

    /** One entry per differing field: "hiddenSize expected 32, found 384 (hidden_size)". */
    public List<String> differences() {
        return differences;
    }
}
