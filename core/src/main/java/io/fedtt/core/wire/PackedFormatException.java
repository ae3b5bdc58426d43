package io.fedtt.core.wire;

/** A packed body that cannot be read; the message names the field or tensor that is wrong. */
public final class PackedFormatException extends RuntimeException {

    public PackedFormatException(String message) {
        super(message);
    }
}
