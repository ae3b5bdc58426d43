package io.fedtt.cli.predict;

/**
 * Why {@code fedtt predict} stopped, as the one line it prints (without "fedtt: ") and the exit code:
 * {@link PredictCommand#EXIT_INVALID} for what the user gave (options, files, model, adapter),
 * {@link PredictCommand#EXIT_FAILED} for a failure while predicting.
 */
final class PredictException extends RuntimeException {

    private final int exitCode;

    PredictException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    PredictException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    static PredictException invalid(String message) {
        return new PredictException(PredictCommand.EXIT_INVALID, message);
    }

    static PredictException invalid(String message, Throwable cause) {
        return new PredictException(PredictCommand.EXIT_INVALID, message, cause);
    }

    int exitCode() {
        return exitCode;
    }
}
