package io.fedtt.core.federation.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fedtt.core.federation.coordinator.Rejection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Protocol v1's status codes, as documented on {@link FederationServer}. */
class RejectionStatusTest {

    @Test
    void everyKindHasItsDocumentedStatus() {
        Map<Rejection.Kind, Integer> expected = new EnumMap<>(Map.of(
                Rejection.Kind.UNAUTHENTICATED, 401, Rejection.Kind.FORBIDDEN, 403, Rejection.Kind.NOT_FOUND, 404,
                Rejection.Kind.METHOD_NOT_ALLOWED, 405, Rejection.Kind.CONFLICT, 409, Rejection.Kind.GONE, 410,
                Rejection.Kind.TOO_LARGE, 413, Rejection.Kind.INVALID, 422, Rejection.Kind.BUSY, 503));
        assertEquals(Rejection.Kind.values().length, expected.size(), "a new kind needs a documented status");
        expected.forEach((kind, status) -> assertEquals(status, RejectionStatus.of(kind), kind.name()));
    }

    @Test
    void statusesThatHttpQualifiesGetTheirHeaders() {
        Map<String, String> h = new HashMap<>();
        RejectionStatus.setHeaders(Rejection.Kind.METHOD_NOT_ALLOWED, "PUT", h::put);
        RejectionStatus.setHeaders(Rejection.Kind.BUSY, "PUT", h::put);
        RejectionStatus.setHeaders(Rejection.Kind.UNAUTHENTICATED, "GET", h::put);
        RejectionStatus.setHeaders(Rejection.Kind.TOO_LARGE, "PUT", h::put);
        assertEquals("GET", h.get("Allow"));
        assertEquals("1", h.get("Retry-After"));
        assertEquals("Bearer realm=\"fedtt\"", h.get("WWW-Authenticate"));
        assertEquals("close", h.get("Connection"));
        Map<String, String> none = new HashMap<>();
        RejectionStatus.setHeaders(Rejection.Kind.GONE, "PUT", none::put);
        assertEquals(0, none.size());
    }
}
