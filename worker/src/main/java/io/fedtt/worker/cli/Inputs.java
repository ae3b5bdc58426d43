package io.fedtt.worker.cli;

import io.fedtt.core.data.DataFileException;
import java.util.function.Supplier;

/** Turns a bad data file or value into the worker's invalid-input failure (exit 2), keeping the message. */
final class Inputs {

    private Inputs() {
    }

    /**
     * @param what prefixed to messages that do not name a file themselves (a data file's errors do)
     */
    static <T> T data(Supplier<T> read, String what) {
        try {
            return read.get();
        } catch (DataFileException e) {
            throw new InvalidInputException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(what + ": " + e.getMessage(), e);
        }
    }
}
