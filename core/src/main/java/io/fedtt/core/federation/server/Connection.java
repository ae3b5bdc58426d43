package io.fedtt.core.federation.server;

import io.fedtt.core.federation.WireJson;
import io.fedtt.core.federation.coordinator.Rejection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.Executor;

/**
 * One connection's requests, in order, on its event loop: routes and authenticates a request as
 * soon as its headers are read, collects an upload's body (bounded), and hands the complete
 * request to a handler thread. One request at a time; a client that sends the next before the
 * answer is closed.
 */
final class Connection extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());

    /** What a routed, authenticated request does once its body (if any) is read; runs on a handler thread. */
    @FunctionalInterface
    interface Action {
        void run(byte[] body);
    }

    /** Routes and authenticates a request from its line and headers; throws a Rejection to refuse it. */
    @FunctionalInterface
    interface Router {
        Action route(Call call);
    }

    private final ServerConfig config;
    private final ConnectionGuard guard;
    private final Executor handlers;
    private final Router router;
    final ConnectionClock clock;
    private Call call;
    private Action action;
    private ByteArrayOutputStream body;
    private long read;
    private boolean discard;

    Connection(ServerConfig config, ConnectionGuard guard, Executor handlers, Router router) {
        this.config = config;
        this.guard = guard;
        this.handlers = handlers;
        this.router = router;
        this.clock = new ConnectionClock(config.idleTimeout(), config.headerTimeout(), config.bodyTimeout(),
                this::bodyTimedOut);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
                malformed(ctx, o);
                return;
            }
            if (msg instanceof HttpRequest req) {
                request(ctx, req);
            }
            if (msg instanceof HttpContent c && call != null) {
                content(c);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "client connection " + ctx.channel().remoteAddress() + " failed: " + cause);
        ctx.close();
    }

    private void malformed(ChannelHandlerContext ctx, HttpObject o) {
        if (call != null && !call.answered()) {
            call.closeAfter = true;
            call.respond(400, WireJson.error(400, "BAD_REQUEST", "malformed request"), "application/json");
            call = null;
            return;
        }
        clock.bodyDone();
        String why = String.valueOf(o.decoderResult().cause());
        byte[] b = WireJson.error(400, "BAD_REQUEST", "malformed request: " + why);
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.BAD_REQUEST, Unpooled.wrappedBuffer(b));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
        r.headers().set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(r).addListener(f -> ctx.close());
    }

    private void request(ChannelHandlerContext ctx, HttpRequest req) {
        if (call != null && !call.answered()) {
            // A second request before the first is answered: no pipelining here.
            LOG.log(System.Logger.Level.DEBUG, "closing connection " + ctx.channel().remoteAddress()
                    + ": a request arrived before the previous one was answered");
            ctx.close();
            return;
        }
        // (The previous answer may be on the wire with its write not yet reported: it is done.)
        clock.headersDone();
        boolean hasBody = HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
        Call c = new Call(ctx.channel(), req.method().name(), req.uri(), req.headers(), HttpUtil.isKeepAlive(req),
                this::written);
        call = c;
        action = null;
        body = null;
        read = 0;
        discard = false;
        try {
            action = router.route(c);
            if (c.participant != null) {
                guard.trusted(ctx.channel());
            }
            if (c.method.equals("PUT") || c.method.equals("POST")) {
                long declared = HttpUtil.getContentLength(req, -1L);
                if (declared > config.maxBodyBytes()) {
                    throw new Rejection(Rejection.Kind.TOO_LARGE, "body of " + declared
                            + " bytes is over the limit of " + config.maxBodyBytes() + " bytes");
                }
                body = new ByteArrayOutputStream(declared > 0 ? (int) Math.min(declared, 1 << 20) : 8192);
                if (HttpUtil.is100ContinueExpected(req)) {
                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                }
            }
        } catch (Rejection r) {
            // The body is not read: the connection cannot carry another request.
            c.closeAfter = hasBody;
            discard = true;
            reject(c, r);
        } catch (RuntimeException e) {
            c.closeAfter = true;
            discard = true;
            internal(c, e);
        }
    }

    private void content(HttpContent content) {
        ByteBuf buf = content.content();
        int n = buf.readableBytes();
        if (!discard && body != null && n > 0) {
            read += n;
            if (read > config.maxBodyBytes()) {
                discard = true;
                call.closeAfter = true;
                call.coordinator.traffic().recordRejected(read, 0);
                body = null;
                reject(call, new Rejection(Rejection.Kind.TOO_LARGE, "body is over the limit of "
                        + config.maxBodyBytes() + " bytes"));
            } else {
                body.write(ByteBufUtil.getBytes(buf), 0, n);
            }
        }
        if (content instanceof LastHttpContent) {
            if (call == null) {
                return; // answered and written while the body was still arriving (413)
            }
            call.bodyComplete = true;
            clock.bodyDone();
            if (!discard) {
                Call c = call;
                Action a = action;
                byte[] b = body == null ? new byte[0] : body.toByteArray();
                body = null;
                handlers.execute(() -> run(c, a, b));
            }
        }
    }

    private void bodyTimedOut() {
        Call c = call;
        if (c == null || c.answered()) {
            return;
        }
        discard = true;
        body = null;
        c.closeAfter = true;
        if (c.coordinator != null) {
            c.coordinator.traffic().recordRejected(read, 0);
        }
        c.respond(408, WireJson.error(408, "TIMEOUT", "the request body did not arrive within "
                + config.bodyTimeout().toSeconds() + " s"), "application/json");
    }

    /** {@code done}'s answer is written (on the event loop); {@code keptOpen}: the connection carries on. */
    private void written(Call done, boolean keptOpen) {
        if (call != done) {
            return; // the client already sent its next request
        }
        call = null;
        action = null;
        body = null;
        if (keptOpen) {
            clock.answered();
        }
    }

    private static void run(Call call, Action action, byte[] body) {
        try {
            action.run(body);
        } catch (Rejection r) {
            if (body.length > 0 && call.coordinator != null) {
                call.coordinator.traffic().recordRejected(body.length, 0);
            }
            reject(call, r);
        } catch (RuntimeException e) {
            internal(call, e);
        }
    }

    static void reject(Call call, Rejection r) {
        RejectionStatus.setHeaders(r.kind(), call.method, call.responseHeaders::set);
        int status = RejectionStatus.of(r.kind());
        call.respond(status, WireJson.error(status, r.kind().name(), r.getMessage()), "application/json");
    }

    static void internal(Call call, RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "federation request " + call.method + " " + call.rawPath + " failed", e);
        call.respond(500, WireJson.error(500, "INTERNAL", "internal error: " + e), "application/json");
    }
}
