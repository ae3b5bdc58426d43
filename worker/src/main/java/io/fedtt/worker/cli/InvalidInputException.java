package io.fedtt.worker.cli;

/** Input the worker cannot run with (flags, manifest, token file, data, model): exit code 2, one line. */
public final class InvalidInputException extends RuntimeException {

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
