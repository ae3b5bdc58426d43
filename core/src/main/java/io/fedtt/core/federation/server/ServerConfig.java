package io.fedtt.core.federation.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * How the federation endpoint listens, and how long it waits for a client.
 *
 * @param bind address and port (port 0 picks a free one)
 * @param tls when set, HTTPS with this context
 * @param threads request handler threads; long-polls do not hold one while they wait
 * @param maxBodyBytes largest accepted upload body (413 above it)
 * @param maxLongPoll the longest a task request waits for a change
 * @param deadlineTick how often round deadlines are checked
 * @param headerTimeout from a request's first byte (for HTTPS: the TLS handshake's) to its last
 *     header: a connection that takes longer is closed
 * @param bodyTimeout from a request's last header to the last byte of its body: a slower upload
 *     gets 408 and the connection is closed
 * @param idleTimeout how long a connection may stay open between requests without sending a byte
 * @param maxPendingPerAddress connections from one client address that have not yet made an
 *     authenticated request; a new one over the cap closes that address's oldest such connection
 * @param maxPending the same cap over all addresses
 * @param startupGrace for this long after the server starts, a request for a job it does not host
 *     (yet) answers 503 "retry" instead of 401: a restarted operator re-hosts its jobs within
 *     seconds of starting, and its workers must not take the gap for a bad token. Zero: no grace.
 */
public record ServerConfig(InetSocketAddress bind, SSLContext tls, int threads, long maxBodyBytes,
                           Duration maxLongPoll, Duration deadlineTick, Duration headerTimeout,
                           Duration bodyTimeout, Duration idleTimeout, int maxPendingPerAddress, int maxPending,
                           Duration startupGrace) {

    public ServerConfig {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (maxBodyBytes < 16) {
            throw new IllegalArgumentException("maxBodyBytes must be >= 16, got " + maxBodyBytes);
        }
        for (Duration d : new Duration[] {headerTimeout, bodyTimeout, idleTimeout}) {
            if (d == null || d.toMillis() < 1) {
                throw new IllegalArgumentException("connection timeouts must be >= 1 ms, got " + d);
            }
        }
        if (startupGrace == null || startupGrace.isNegative()) {
            throw new IllegalArgumentException("startupGrace must be >= 0, got " + startupGrace);
        }
        if (maxPendingPerAddress < 1 || maxPending < maxPendingPerAddress) {
            throw new IllegalArgumentException("need 1 <= maxPendingPerAddress <= maxPending, got "
                    + maxPendingPerAddress + " and " + maxPending);
        }
    }

    /**
     * Loopback, a free port, plain HTTP, 8 threads, 64 MiB uploads, 30 s long-polls, 200 ms deadline
     * checks; 10 s for headers, 5 min for a body, 2 min idle; 64 unauthenticated connections per
     * client address, 1024 in all; no startup grace.
     */
    public static ServerConfig loopback() {
        return new ServerConfig(new InetSocketAddress("127.0.0.1", 0), null, 8, 64L << 20,
                Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ofMinutes(2), 64, 1024, Duration.ZERO);
    }

    public ServerConfig withBind(InetSocketAddress value) {
        return new ServerConfig(value, tls, threads, maxBodyBytes, maxLongPoll, deadlineTick, headerTimeout,
                bodyTimeout, idleTimeout, maxPendingPerAddress, maxPending, startupGrace);
    }

    public ServerConfig withTls(SSLContext value) {
        return new ServerConfig(bind, value, threads, maxBodyBytes, maxLongPoll, deadlineTick, headerTimeout,
                bodyTimeout, idleTimeout, maxPendingPerAddress, maxPending, startupGrace);
    }

    public ServerConfig withThreads(int value) {
        return new ServerConfig(bind, tls, value, maxBodyBytes, maxLongPoll, deadlineTick, headerTimeout,
                bodyTimeout, idleTimeout, maxPendingPerAddress, maxPending, startupGrace);
    }

    public ServerConfig withMaxBodyBytes(long value) {
        return new ServerConfig(bind, tls, threads, value, maxLongPoll, deadlineTick, headerTimeout,
                bodyTimeout, idleTimeout, maxPendingPerAddress, maxPending, startupGrace);
    }

    public ServerConfig withMaxLongPoll(Duration value) {
        return new ServerConfig(bind, tls, threads, maxBodyBytes, value, deadlineTick, headerTimeout,
                bodyTimeout, idleTimeout, maxPendingPerAddress, maxPending, startupGrace);
    }

    public ServerConfig withDeadlineTick(Duration value) {
        return new ServerConfig(bind, tls, threads, maxBodyBytes, maxLongPoll, value, headerTimeout,
                bodyTimeout, idleTimeout, maxPendingPerAddress, maxPending, startupGrace);
    }

    /** Sets the header, body and idle timeouts. */
    public ServerConfig withTimeouts(Duration header, Duration body, Duration idle) {
        return new ServerConfig(bind, tls, threads, maxBodyBytes, maxLongPoll, deadlineTick, header, body, idle,
                maxPendingPerAddress, maxPending, startupGrace);
    }

    /** Sets the caps on not yet authenticated connections, per client address and in all. */
    public ServerConfig withPendingCaps(int perAddress, int total) {
        return new ServerConfig(bind, tls, threads, maxBodyBytes, maxLongPoll, deadlineTick, headerTimeout,
                bodyTimeout, idleTimeout, perAddress, total, startupGrace);
    }

    /** Sets how long after start a job not hosted yet answers 503 "retry" rather than 401. */
    public ServerConfig withStartupGrace(Duration value) {
        return new ServerConfig(bind, tls, threads, maxBodyBytes, maxLongPoll, deadlineTick, headerTimeout,
                bodyTimeout, idleTimeout, maxPendingPerAddress, maxPending, value);
    }
}
