package io.fedtt.core.federation.server;

import java.net.InetSocketAddress;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * How the federation endpoint listens.
 *
 * @param bind address and port (port 0 picks a free one)
 * @param tls when set, HTTPS with this context
 * @param threads request handler threads; long-polls do not hold one while they wait
 * @param maxBodyBytes largest accepted upload body (413 above it)
 * @param maxLongPoll the longest a task request waits for a change
 * @param deadlineTick how often round deadlines are checked
 */
public record ServerConfig(InetSocketAddress bind, SSLContext tls, int threads, long maxBodyBytes,
                           Duration maxLongPoll, Duration deadlineTick) {

    public ServerConfig {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (maxBodyBytes < 16) {
            throw new IllegalArgumentException("maxBodyBytes must be >= 16, got " + maxBodyBytes);
        }
    }

    /** Loopback, a free port, plain HTTP, 8 threads, 64 MiB uploads, 30 s long-polls, 200 ms deadline checks. */
    public static ServerConfig loopback() {
        return new ServerConfig(new InetSocketAddress("127.0.0.1", 0), null, 8, 64L << 20,
                Duration.ofSeconds(30), Duration.ofMillis(200));
    }

    public ServerConfig withBind(InetSocketAddress value) {
        return new ServerConfig(value, tls, threads, maxBodyBytes, maxLongPoll, deadlineTick);
    }

    public ServerConfig withTls(SSLContext value) {
        return new ServerConfig(bind, value, threads, maxBodyBytes, maxLongPoll, deadlineTick);
    }

    public ServerConfig withThreads(int value) {
        return new ServerConfig(bind, tls, value, maxBodyBytes, maxLongPoll, deadlineTick);
    }

    public ServerConfig withMaxBodyBytes(long value) {
        return new ServerConfig(bind, tls, threads, value, maxLongPoll, deadlineTick);
    }

    public ServerConfig withMaxLongPoll(Duration value) {
        return new ServerConfig(bind, tls, threads, maxBodyBytes, value, deadlineTick);
    }

    public ServerConfig withDeadlineTick(Duration value) {
        return new ServerConfig(bind, tls, threads, maxBodyBytes, maxLongPoll, value);
    }
}
