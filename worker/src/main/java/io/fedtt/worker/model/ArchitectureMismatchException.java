package io.fedtt.worker.model;

/** The loaded model's config.json differs from the job's {@code spec.model.architecture}. */
public final class ArchitectureMismatchException extends IllegalArgumentException {

    public ArchitectureMismatchException(String message) {
        super(message);
    }
}
