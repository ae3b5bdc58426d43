package io.fedtt.worker.cli;

/** Input the worker cannot run with (flags, manifest, token file, data, model): exit code 2, one line. */
final class InvalidInputException extends RuntimeException {

    InvalidInputException(String message) {
        super(message);
    }

    InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
