package io.fedtt.core.federation.store;

/** A file in a round store is damaged, partial or missing; the message names it. */
public class StoreCorruptedException extends RuntimeException {

    public StoreCorruptedException(String message) {
        super(message);
    }

    public StoreCorruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
