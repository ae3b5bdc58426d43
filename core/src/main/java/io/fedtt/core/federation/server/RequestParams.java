package io.fedtt.core.federation.server;

import io.fedtt.core.federation.coordinator.Rejection;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Parsing of protocol v1 request parameters; a bad value is a {@link Rejection} naming it. */
final class RequestParams {

    private RequestParams() {
    }

    /** The decoded query parameters; the first of a repeated name wins. */
    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }

    /** The long-poll wait asked for ({@code wait}, seconds), bounded by {@code maxMillis}. */
    static long waitMillis(Map<String, String> query, long defaultMillis, long maxMillis) {
        String w = query.get("wait");
        if (w == null) {
            return Math.min(defaultMillis, maxMillis);
        }
        try {
            double seconds = Double.parseDouble(w);
            if (!(seconds >= 0)) {
                throw new NumberFormatException();
            }
            return Math.min(maxMillis, (long) (seconds * 1000));
        } catch (NumberFormatException e) {
            throw new Rejection(Rejection.Kind.INVALID, "query parameter 'wait' must be seconds >= 0, got '" + w + "'");
        }
    }

    static int intParam(Map<String, String> query, String name, int dflt) {
        String v = query.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new Rejection(Rejection.Kind.INVALID, "query parameter '" + name + "' must be an integer, got '" + v + "'");
        }
    }

    /** A round number from the path: 1 or more. */
    static int roundNumber(String s) {
        try {
            int r = Integer.parseInt(s);
            if (r >= 1) {
                return r;
            }
        } catch (NumberFormatException ignored) {
            // fall through
        }
        throw new Rejection(Rejection.Kind.NOT_FOUND, "no round '" + s + "' (rounds are numbered from 1)");
    }

    /** Whether an If-None-Match header names the entity with sha256 {@code digest}. */
    static boolean etagMatches(String ifNoneMatch, String digest) {
        for (String part : ifNoneMatch.split(",")) {
            String t = part.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals("\"" + digest + "\"") || t.equals(digest)) {
                return true;
            }
        }
        return false;
    }
}
