package io.fedtt.core.federation.coordinator;

/**
 * A request the coordinator refuses, with the reason as a kind (which the HTTP layer maps 1:1 to a
 * status code) and a message naming the problem.
 */
public class Rejection extends RuntimeException {

    public enum Kind {
        /** No token, or a token of nobody in this job. */
        UNAUTHENTICATED(401),
        /** A valid token used for another participant, or a participant not selected for the round. */
        FORBIDDEN(403),
        /** Unknown job, round or participant. */
        NOT_FOUND(404),
        /** The path exists but not with this HTTP method. */
        METHOD_NOT_ALLOWED(405),
        /** A different update for this round and participant was already accepted. */
        CONFLICT(409),
        /** The round (or the job) is closed: the upload is late. */
        GONE(410),
        /** The body is larger than the server accepts. */
        TOO_LARGE(413),
        /** The tensors or metadata are wrong: the message names the tensor and what is wrong. */
        INVALID(422),
        /** Try again shortly (an identical upload from the same participant is being stored). */
        BUSY(503);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int httpStatus() {
            return status;
        }
    }

    private final Kind kind;

    public Rejection(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
