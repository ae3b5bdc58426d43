package io.fedtt.core.federation.server;

import com.sun.net.httpserver.HttpExchange;
import io.fedtt.core.federation.coordinator.AdapterPayload;
import io.fedtt.core.federation.coordinator.Rejection;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * One HTTP exchange of protocol v1: who made it and about which round (filled in as the request is
 * routed and authenticated), reading its body and writing its one answer, with the body bytes of
 * both counted into the job's {@link io.fedtt.core.federation.coordinator.TrafficMeter}.
 */
final class Call {

    private static final System.Logger LOG = System.getLogger(Call.class.getName());

    final HttpExchange ex;
    /** The job's coordinator, once the path named a hosted job (until then nothing is counted). */
    RoundCoordinator coordinator;
    /** The authenticated participant; null before (or without) authentication. */
    String participant;
    /** The round the exchange is about; -1 for none. */
    int round = -1;

    Call(HttpExchange ex) {
        this.ex = ex;
    }

    /**
     * Reads the request body, refusing (413) as soon as it is over {@code limit}. The bytes read are
     * counted here, before the coordinator sees the update: the upload that completes a round must be
     * in that round's figures, and the round may close before this exchange's answer is written.
     */
    byte[] readBody(long limit) throws IOException {
        String cl = ex.getRequestHeaders().getFirst("Content-Length");
        if (cl != null) {
            long declared;
            try {
                declared = Long.parseLong(cl.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared > limit) {
                throw new Rejection(Rejection.Kind.TOO_LARGE, "body of " + declared + " bytes is over the limit of "
                        + limit + " bytes");
            }
        }
        InputStream in = ex.getRequestBody();
        ByteArrayOutputStream out = new ByteArrayOutputStream(cl != null ? (int) Math.min(limit, 1 << 20) : 8192);
        byte[] buf = new byte[64 * 1024];
        long read = 0;
        int n;
        try {
            while ((n = in.read(buf)) > 0) {
                read += n;
                if (out.size() + (long) n > limit) {
                    throw new Rejection(Rejection.Kind.TOO_LARGE, "body is over the limit of " + limit + " bytes");
                }
                out.write(buf, 0, n);
            }
        } catch (Rejection r) {
            count(read, 0);
            throw r;
        }
        count(read, 0);
        return out.toByteArray();
    }

    /** Answers with a global adapter body, or 304 when the client's If-None-Match names it. */
    void sendAdapter(AdapterPayload payload) {
        ex.getResponseHeaders().set("ETag", "\"" + payload.digest() + "\"");
        ex.getResponseHeaders().set("X-Fedtt-Version", Integer.toString(payload.version()));
        ex.getResponseHeaders().set("X-Fedtt-Partial", Boolean.toString(payload.partial()));
        String inm = ex.getRequestHeaders().getFirst("If-None-Match");
        if (inm != null && RequestParams.etagMatches(inm, payload.digest())) {
            respond(304, new byte[0], null);
            return;
        }
        respond(200, payload.body(), "application/octet-stream");
    }

    /** Writes the answer, closes the exchange and counts the body bytes written. */
    void respond(int status, byte[] body, String contentType) {
        long down = 0;
        try {
            if (contentType != null) {
                ex.getResponseHeaders().set("Content-Type", contentType);
            }
            if (body.length == 0) {
                ex.sendResponseHeaders(status, -1);
            } else {
                ex.sendResponseHeaders(status, body.length);
                ex.getResponseBody().write(body);
                down = body.length;
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot answer " + ex.getRequestURI() + ": " + e);
        } finally {
            ex.close();
            count(0, down);
        }
    }

    private void count(long up, long down) {
        if (coordinator != null) {
            coordinator.traffic().record(round, participant, up, down);
        }
    }
}
