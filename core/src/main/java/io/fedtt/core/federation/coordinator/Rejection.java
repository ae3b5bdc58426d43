package io.fedtt.core.federation.coordinator;

/**
 * A request the coordinator refuses, with the reason as a kind and a message naming the problem.
 * Kinds say what is wrong, not how a transport reports it (the HTTP server maps them to status codes).
 */
public class Rejection extends RuntimeException {

    public enum Kind {
        /** No token, or a token of nobody in this job. */
        UNAUTHENTICATED,
        /** A valid token used for another participant, or a participant not selected for the round. */
        FORBIDDEN,
        /** Unknown job, round or participant. */
        NOT_FOUND,
        /** The resource exists but does not support the requested operation. */
        METHOD_NOT_ALLOWED,
        /** A different update for this round and participant was already accepted. */
        CONFLICT,
        /** The round (or the job) is closed: the upload is late. */
        GONE,
        /** The body is larger than the server accepts. */
        TOO_LARGE,
        /** The tensors or metadata are wrong: the message names the tensor and what is wrong. */
        INVALID,
        /** Try again shortly (an identical upload from the same participant is being stored). */
        BUSY
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
