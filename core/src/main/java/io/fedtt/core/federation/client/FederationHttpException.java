package io.fedtt.core.federation.client;

/** The federation endpoint refused a request for good (not worth retrying); the message is the server's. */
public class FederationHttpException extends RuntimeException {

    private final int status;

    public FederationHttpException(int status, String message) {
        super("HTTP " + status + ": " + message);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** 410: the round closed before the upload arrived (or the task was stale). */
    public boolean roundClosed() {
        return status == 410;
    }
}
