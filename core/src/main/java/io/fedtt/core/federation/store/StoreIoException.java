package io.fedtt.core.federation.store;

import java.io.IOException;
import java.io.UncheckedIOException;

/** A round store could not read or write; nothing was acknowledged on its behalf. */
public class StoreIoException extends UncheckedIOException {

    public StoreIoException(String message, IOException cause) {
        super(message, cause);
    }
}
