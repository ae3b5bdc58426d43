package io.fedtt.core.federation.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Caps the connections that have not (yet) made an authenticated request: per client address and
 * in all. A new connection over a cap closes the oldest pending one (of its address, or of all),
 * so that a flood of silent or slow connections cannot lock out a silo that connects after it: the
 * silo's request authenticates within moments of connecting, the flood's never does. A connection
 * that made an authenticated request leaves the pending set for good (it is still bound by the
 * per-request timeouts of {@link ConnectionClock}).
 */
@ChannelHandler.Sharable
final class ConnectionGuard extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(ConnectionGuard.class.getName());

    private final int perAddress;
    private final int total;
    private final Map<InetAddress, LinkedHashSet<Channel>> byAddress = new HashMap<>();
    private final LinkedHashSet<Channel> all = new LinkedHashSet<>();
    private long evicted;

    ConnectionGuard(int perAddress, int total) {
        this.perAddress = perAddress;
        this.total = total;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        Channel ch = ctx.channel();
        InetAddress a = address(ch);
        List<Channel> out = new ArrayList<>();
        synchronized (this) {
            LinkedHashSet<Channel> mine = byAddress.computeIfAbsent(a, k -> new LinkedHashSet<>());
            mine.add(ch);
            all.add(ch);
            while (mine.size() > perAddress) {
                out.add(removeOldest(mine));
            }
            while (all.size() > total) {
                Iterator<Channel> it = all.iterator();
                Channel oldest = it.next();
                forget(oldest);
                out.add(oldest);
            }
            evicted += out.size();
        }
        for (Channel c : out) {
            LOG.log(System.Logger.Level.DEBUG, "closing unauthenticated connection " + c.remoteAddress()
                    + ": too many from its address or in all");
            c.close();
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        synchronized (this) {
            forget(ctx.channel());
        }
        super.channelInactive(ctx);
    }

    /** The connection made an authenticated request: no cap applies to it from now on. */
    void trusted(Channel ch) {
        synchronized (this) {
            forget(ch);
        }
    }

    /** Connections closed so far because a cap was reached. */
    synchronized long evicted() {
        return evicted;
    }

    /** Connections currently pending (not yet authenticated). */
    synchronized int pending() {
        return all.size();
    }

    private Channel removeOldest(LinkedHashSet<Channel> set) {
        Channel oldest = set.iterator().next();
        forget(oldest);
        return oldest;
    }

    private void forget(Channel ch) {
        if (!all.remove(ch)) {
            return;
        }
        InetAddress a = address(ch);
        LinkedHashSet<Channel> mine = byAddress.get(a);
        if (mine != null) {
            mine.remove(ch);
            if (mine.isEmpty()) {
                byAddress.remove(a);
            }
        }
    }

    private static InetAddress address(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress s ? s.getAddress() : null;
    }
}
