package io.fedtt.core.federation.server;

import io.fedtt.core.federation.coordinator.AdapterPayload;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * One HTTP exchange of protocol v1: who made it and about which round (filled in as the request is
 * routed and authenticated) and its one answer, whose body bytes are counted into the job's
 * {@link io.fedtt.core.federation.coordinator.TrafficMeter}: a successful answer (2xx, 304) in the
 * job's communication figures, an error answer as rejected traffic. Upload bodies are counted by
 * the coordinator when it acknowledges them, and by the server as rejected when it refuses them.
 */
final class Call {

    private static final System.Logger LOG = System.getLogger(Call.class.getName());
    /** How long a connection refused mid-body stays half-open so that its answer is read. */
    private static final long LINGER_MILLIS = 2_000;

    final Channel channel;
    final String method;
    final String rawPath;
    final String rawQuery;
    final HttpHeaders requestHeaders;
    final HttpHeaders responseHeaders = new DefaultHttpHeaders();
    /** Whether the connection may carry another request after this one. */
    private final boolean keepAlive;
    /** Runs on the event loop once the answer is written, with whether the connection stays open. */
    private final BiConsumer<Call, Boolean> onWritten;
    private final AtomicBoolean answered = new AtomicBoolean();
    /** The job's coordinator, once the path named a hosted job (until then nothing is counted). */
    RoundCoordinator coordinator;
    /** The authenticated participant; null before (or without) authentication. */
    String participant;
    /** The round the exchange is about; -1 for none. */
    int round = -1;
    /** The request's body is not (all) read: the connection cannot carry another request. */
    boolean closeAfter;
    /** The request's last body byte has been read (set on the event loop). */
    volatile boolean bodyComplete;

    Call(Channel channel, String method, String uri, HttpHeaders requestHeaders, boolean keepAlive,
         BiConsumer<Call, Boolean> onWritten) {
        this.channel = channel;
        this.method = method;
        int q = uri.indexOf('?');
        this.rawPath = q < 0 ? uri : uri.substring(0, q);
        this.rawQuery = q < 0 ? null : uri.substring(q + 1);
        this.requestHeaders = requestHeaders;
        this.keepAlive = keepAlive;
        this.onWritten = onWritten;
    }

    /** Answers with a global adapter body, or 304 when the client's If-None-Match names it. */
    void sendAdapter(AdapterPayload payload) {
        responseHeaders.set("ETag", "\"" + payload.digest() + "\"");
        responseHeaders.set("X-Fedtt-Version", Integer.toString(payload.version()));
        responseHeaders.set("X-Fedtt-Partial", Boolean.toString(payload.partial()));
        String inm = requestHeaders.get("If-None-Match");
        if (inm != null && RequestParams.etagMatches(inm, payload.digest())) {
            respond(304, new byte[0], null);
            return;
        }
        respond(200, payload.body(), "application/octet-stream");
    }

    boolean answered() {
        return answered.get();
    }

    /** Writes the answer (once; later calls do nothing) and counts its body bytes once written. */
    void respond(int status, byte[] body, String contentType) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(body));
        r.headers().set(responseHeaders);
        if (contentType != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        if (status != 304 && status != 204) {
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
        boolean close = closeAfter || !keepAlive
                || HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(responseHeaders.get(HttpHeaderNames.CONNECTION));
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        long down = body.length;
        boolean ok = status < 400;
        channel.writeAndFlush(r).addListener(f -> {
            if (f.isSuccess()) {
                count(ok, down);
            } else {
                LOG.log(System.Logger.Level.DEBUG, "cannot answer " + method + " " + rawPath + ": " + f.cause());
            }
            if (close && f.isSuccess() && !bodyComplete && channel instanceof SocketChannel sc) {
                // Refused before its body was read: closing now would reset the connection and the
                // client could lose the answer. Send FIN after it, drop what still arrives, close soon.
                sc.shutdownOutput();
                channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            } else if (close || !f.isSuccess()) {
                channel.close();
            }
            onWritten.accept(this, !close && f.isSuccess());
        });
    }

    private void count(boolean ok, long down) {
        if (coordinator == null) {
            return;
        }
        if (ok) {
            coordinator.traffic().record(round, participant, 0, down);
        } else {
            coordinator.traffic().recordRejected(0, down);
        }
    }
}
