package io.fedtt.core.federation.server;

import io.fedtt.core.federation.coordinator.Rejection;
import java.util.function.BiConsumer;

/** How protocol v1 reports a {@link Rejection}: its HTTP status code and the headers that go with it. */
final class RejectionStatus {

    private RejectionStatus() {
    }

    /** The status code of a kind of rejection. */
    static int of(Rejection.Kind kind) {
        return switch (kind) {
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case METHOD_NOT_ALLOWED -> 405;
            case CONFLICT -> 409;
            case GONE -> 410;
            case TOO_LARGE -> 413;
            case INVALID -> 422;
            case BUSY -> 503;
        };
    }

    /** Sets ({@code set(name, value)}) the headers HTTP asks for with such a status; {@code method} is the request's. */
    static void setHeaders(Rejection.Kind kind, String method, BiConsumer<String, String> set) {
        switch (kind) {
            // The rest of an over-long body is not read: the connection cannot be reused.
            case TOO_LARGE -> set.accept("Connection", "close");
            case UNAUTHENTICATED -> set.accept("WWW-Authenticate", "Bearer realm=\"fedtt\"");
            case METHOD_NOT_ALLOWED -> set.accept("Allow", method.equals("PUT") ? "GET" : "GET, PUT");
            case BUSY -> set.accept("Retry-After", "1");
            default -> {
            }
        }
    }
}
