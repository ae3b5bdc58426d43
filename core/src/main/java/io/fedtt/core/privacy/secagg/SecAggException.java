package io.fedtt.core.privacy.secagg;

/** A secure-aggregation message or step refused, with why; the coordinator maps the kind to its answer. */
public final class SecAggException extends RuntimeException {

    public enum Kind {
        /** Malformed or inconsistent content. */
        INVALID,
        /** The sender has no part in this stage (not in the roster, dropped, not selected). */
        EXCLUDED,
        /** The stage it belongs to is over. */
        LATE,
        /** A different message from the same sender was already taken. */
        CONFLICT,
        /** Rebuilding the sum failed: a rebuilt secret does not match its commitment. */
        CORRUPT
    }

    private final Kind kind;

    public SecAggException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    static SecAggException invalid(String message) {
        return new SecAggException(Kind.INVALID, message);
    }
}
