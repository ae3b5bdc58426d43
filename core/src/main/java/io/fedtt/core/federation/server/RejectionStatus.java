package io.fedtt.core.federation.server;

import com.sun.net.httpserver.Headers;
import io.fedtt.core.federation.coordinator.Rejection;

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

    /** Sets the headers HTTP asks for with such a status; {@code method} is the request's. */
    static void setHeaders(Rejection.Kind kind, String method, Headers headers) {
        switch (kind) {
            // The rest of an over-long body is not read: the connection cannot be reused.
            case TOO_LARGE -> headers.set("Connection", "close");
            case UNAUTHENTICATED -> headers.set("WWW-Authenticate", "Bearer realm=\"fedtt\"");
            case METHOD_NOT_ALLOWED -> headers.set("Allow", method.equals("PUT") ? "GET" : "GET, PUT");
            case BUSY -> headers.set("Retry-After", "1");
            default -> {
            }
        }
    }
}
