package io.fedtt.core.job;

/** A job description that cannot be read; the message names the field. */
public final class InvalidJobDescriptionException extends IllegalArgumentException {

    public InvalidJobDescriptionException(String message) {
        super("invalid job description: " + message);
    }
}
