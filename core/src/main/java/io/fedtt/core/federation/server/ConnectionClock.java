package io.fedtt.core.federation.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The per-connection timers, first in the pipeline (before TLS): it sees the raw bytes.
 * <ul>
 *   <li>idle (connected, or after an answer): closed if no byte arrives within the idle timeout;</li>
 *   <li>headers (from the first byte of a request, including a TLS handshake): closed if the
 *       request's headers are not complete within the header timeout;</li>
 *   <li>body (from the last header): {@link #expired} decides (408 and close) if the body is not
 *       complete within the body timeout;</li>
 *   <li>handling (body complete until the answer is written): no timer; a long-poll is bounded by
 *       the server's own longest wait.</li>
 * </ul>
 * All state is touched on the connection's event loop only.
 */
final class ConnectionClock extends ChannelDuplexHandler {

    private static final System.Logger LOG = System.getLogger(ConnectionClock.class.getName());

    enum Phase { IDLE, HEADERS, BODY, HANDLING }

    private final long idleMillis;
    private final long headerMillis;
    private final long bodyMillis;
    private final Runnable onBodyTimeout;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.IDLE;
    private ScheduledFuture<?> timer;

    /** {@code onBodyTimeout} runs on the event loop when a body is late; it answers and closes. */
    ConnectionClock(Duration idle, Duration header, Duration body, Runnable onBodyTimeout) {
        this.idleMillis = idle.toMillis();
        this.headerMillis = header.toMillis();
        this.bodyMillis = body.toMillis();
        this.onBodyTimeout = onBodyTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(Phase.IDLE, idleMillis);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (phase == Phase.IDLE && msg instanceof ByteBuf b && b.isReadable()) {
            arm(Phase.HEADERS, headerMillis);
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    /** The request's headers are complete: its body is next. */
    void headersDone() {
        arm(Phase.BODY, bodyMillis);
    }

    /** The request is complete: it is being handled, with no timer. */
    void bodyDone() {
        cancel();
        phase = Phase.HANDLING;
    }

    /** The answer is written and the connection stays open: waiting for the next request. */
    void answered() {
        arm(Phase.IDLE, idleMillis);
    }

    Phase phase() {
        return phase;
    }

    private void arm(Phase next, long millis) {
        cancel();
        phase = next;
        timer = ctx.executor().schedule(() -> expired(next), millis, TimeUnit.MILLISECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired(Phase in) {
        if (phase != in) {
            return;
        }
        timer = null;
        LOG.log(System.Logger.Level.DEBUG, "closing connection " + ctx.channel().remoteAddress() + ": "
                + switch (in) {
                    case IDLE -> "idle";
                    case HEADERS -> "request headers too slow";
                    case BODY -> "request body too slow";
                    case HANDLING -> "?";
                });
        if (in == Phase.BODY) {
            phase = Phase.HANDLING;
            onBodyTimeout.run();
        } else {
            ctx.close();
        }
    }
}
