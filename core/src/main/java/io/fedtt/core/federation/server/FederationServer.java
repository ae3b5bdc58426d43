package io.fedtt.core.federation.server;

import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.SecureWire;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.UploadReceipt;
import io.fedtt.core.federation.WireJson;
import io.fedtt.core.federation.coordinator.Rejection;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.coordinator.TrafficMeter;
import io.fedtt.core.privacy.secagg.SecAggException;
import io.fedtt.core.privacy.secagg.SecureSum;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;

/**
 * The federation endpoint (protocol v1) on Netty's HTTP/1.1 codec, hosting any number of jobs:
 * <pre>
 * GET /v1/jobs/{ns}/{name}/task?silo=S&amp;after=R&amp;wait=SECONDS[&amp;layout=DIGEST]
 *     the next round after R that S takes part in (long-poll up to wait, bounded by the server);
 *     JSON, see {@link WireJson}: work, waiting (poll again) or done. layout=the hex SHA-256 of the
 *     client's adapter layout ({@link io.fedtt.core.wire.WireLayout}): the trainable tensors come as a
 *     bitmap over it instead of a list of names; a digest other than the job's is refused (422)
 * GET /v1/jobs/{ns}/{name}/rounds/{r}/adapter[?since=K][&amp;format=packed]
 *     the global adapter round r trains from, safetensors in the job's safetensors dtype, or with
 *     format=packed a packed body ({@link io.fedtt.core.wire.PackedCodec}) in the job's encoding;
 *     ETag = "sha256 hex", If-None-Match -&gt; 304. since=K: the caller holds round K's adapter; only
 *     tensors changed since (trainable in a completed round &gt;= K) are sent (X-Fedtt-Partial: true) -
 *     merge them into that copy and check the result against the task's adapterDigest (packedDigest)
 * PUT /v1/jobs/{ns}/{name}/rounds/{r}/updates/{silo}
 *     S's update (a packed body, or safetensors with fedtt.* metadata); 200 with an ack once stored,
 *     also for an identical repeat (counted once)
 * GET /v1/jobs/{ns}/{name}/rounds/{r}/secagg?silo=S&amp;stage=ST[&amp;session=X]&amp;wait=SECONDS
 *     secure aggregation: S's view of round r's session (long-poll until it reaches stage ST, or at
 *     once when X is not the session any more); see {@link io.fedtt.core.federation.SecureWire}
 * POST /v1/jobs/{ns}/{name}/rounds/{r}/secagg/{silo}/keys | shares | unmask   (JSON)
 * PUT  /v1/jobs/{ns}/{name}/rounds/{r}/secagg/{silo}/masked                     (binary)
 *     the stages of secure aggregation: keys, sealed shares, the masked update, the unmasking shares
 * GET /v1/jobs/{ns}/{name}/adapter     the current global adapter (the final one once done)
 * GET /v1/jobs/{ns}/{name}             the job's status (JSON)
 * </pre>
 * Every request carries {@code Authorization: Bearer <token of the silo>} (a cross-device worker
 * shard's one token acts for each of its devices, see {@link TokenRegistry}). Errors are JSON
 * {@code {"status","error","message"}}: 401 no or unknown token (also for a job this server does
 * not host, so that job names cannot be probed without a token), 403 a token that cannot act for
 * the silo or a silo not selected, 404 unknown round/path, 405 wrong method, 408 a body slower than
 * the body timeout, 409 a different update already accepted, 410 round or job closed, 413 body over
 * the limit (checked while reading), 422 invalid tensors or metadata, 503 the same upload is in
 * progress. A request is authenticated as soon as its headers are read: an upload without a valid
 * token is refused before its body is read, and its connection closed.
 *
 * <p>Why Netty and not the JDK's server: the JDK server reads a request's line and headers on a
 * handler thread, blocking, with no per-connection deadline, so a few connections that stop mid-line
 * hold every handler thread. Here parsing is non-blocking on the event loop, each connection has
 * its own header, body and idle timers ({@link ConnectionClock}) and unauthenticated connections are
 * capped per client address ({@link ConnectionGuard}); handler threads only ever run complete,
 * authenticated requests. Long-polls park their exchange and hold no thread while they wait. Body
 * bytes are counted per job, round, participant and direction into the job's {@link TrafficMeter}.
 */
public final class FederationServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(FederationServer.class.getName());
    private static final String PREFIX = "/v1/jobs/";
    private static final long DEFAULT_WAIT_MILLIS = 20_000;
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_BYTES = 16384;
    private static final int MAX_CHUNK = 64 * 1024;

    private final ServerConfig config;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ChannelGroup open = new DefaultChannelGroup("fedtt-federation", GlobalEventExecutor.INSTANCE);
    private final ConnectionGuard guard;
    private final ThreadPoolExecutor handlers;
    private final ScheduledExecutorService timer;
    private final Map<JobId, Hosted> jobs = new ConcurrentHashMap<>();
    /** Until then (System.nanoTime) a job not hosted yet answers "retry" (see ServerConfig#startupGrace). */
    private final long graceEndNanos;
    private Channel listener;

    private record Hosted(RoundCoordinator coordinator, TokenRegistry tokens, AtomicReference<CachedTask> task,
                          AtomicReference<CachedTask> packedTask) {
    }

    /** The participant-independent part of the current round try's task JSON (names or, packed, a bitmap). */
    private record CachedTask(int round, int attempt, String digest, long deadline, boolean packed, byte[] prefix) {
    }

    private FederationServer(ServerConfig config) {
        this.config = config;
        this.graceEndNanos = System.nanoTime() + config.startupGrace().toNanos();
        AtomicInteger n = new AtomicInteger();
        handlers = new ThreadPoolExecutor(config.threads(), config.threads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "fedtt-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fedtt-http-timer");
            t.setDaemon(true);
            return t;
        });
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory("fedtt-http-accept", true));
        workers = new NioEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("fedtt-http-io", true));
        guard = new ConnectionGuard(config.maxPendingPerAddress(), config.maxPending());
    }

    /** Binds and starts serving. */
    public static FederationServer start(ServerConfig config) throws IOException {
        FederationServer s = new FederationServer(config);
        try {
            s.bind();
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        long tick = Math.max(10, config.deadlineTick().toMillis());
        s.timer.scheduleWithFixedDelay(s::checkDeadlines, tick, tick, TimeUnit.MILLISECONDS);
        return s;
    }

    private void bind() throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        open.add(ch);
                        Connection c = new Connection(config, guard, handlers, FederationServer.this::route);
                        ch.pipeline().addLast("guard", guard);
                        ch.pipeline().addLast("clock", c.clock);
                        if (config.tls() != null) {
                            SSLEngine engine = config.tls().createSSLEngine();
                            engine.setUseClientMode(false);
                            ch.pipeline().addLast("tls", new SslHandler(engine));
                        }
                        ch.pipeline().addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, MAX_CHUNK));
                        ch.pipeline().addLast("fedtt", c);
                    }
                });
        try {
            listener = b.bind(config.bind()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + config.bind(), e);
        } catch (Exception e) {
            // Netty rethrows the socket's checked exception (e.g. BindException) unchecked.
            if (e instanceof IOException ioe) {
                throw ioe;
            }
            throw new IOException("cannot listen on " + config.bind() + ": " + e.getMessage(), e);
        }
    }

    /** Serves a job; its participants authenticate with {@code tokens}. */
    public void host(RoundCoordinator coordinator, TokenRegistry tokens) {
        jobs.put(coordinator.job(), new Hosted(coordinator, tokens, new AtomicReference<>(), new AtomicReference<>()));
    }

    /** Stops serving a job (its requests get 401 from now on, as for any job not hosted here). */
    public void unhost(JobId job) {
        jobs.remove(job);
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The base URI clients use, e.g. {@code https://127.0.0.1:8443}. */
    public URI baseUri() {
        InetSocketAddress a = (InetSocketAddress) listener.localAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create((config.tls() != null ? "https" : "http") + "://" + host + ":" + a.getPort());
    }

    /** Connections closed so far because the cap on unauthenticated connections was reached. */
    public long evictedConnections() {
        return guard.evicted();
    }

    /** Open connections that have not yet made an authenticated request. */
    public int pendingConnections() {
        return guard.pending();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        open.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        timer.shutdownNow();
        handlers.shutdownNow();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
            boss.terminationFuture().await(5, TimeUnit.SECONDS);
            workers.terminationFuture().await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkDeadlines() {
        for (Hosted h : jobs.values()) {
            try {
                h.coordinator().checkDeadline();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "deadline check of job " + h.coordinator().job() + " failed", e);
            }
        }
    }

    // ================================================================ routing

    /**
     * Routes a request from its line and headers (on the event loop: no coordinator call here) and
     * authenticates it. Anything under a job's path is authenticated first, so that without a valid
     * token a job that is not hosted here answers exactly like one that is (401).
     */
    private Connection.Action route(Call call) {
        String path = call.rawPath;
        if (!path.startsWith(PREFIX)) {
            throw notFound("no such path " + path + " (the API is under " + PREFIX + ")");
        }
        String[] seg = path.substring(PREFIX.length()).split("/", -1);
        if (seg.length < 2) {
            throw notFound("no such path " + path);
        }
        JobId id;
        try {
            id = new JobId(seg[0], seg[1]);
        } catch (IllegalArgumentException e) {
            throw notFound("no such path " + path);
        }
        Hosted job = jobs.get(id);
        if (job == null && System.nanoTime() - graceEndNanos < 0) {
            // Right after a restart the operator has not re-hosted its jobs yet: workers retry a 503.
            throw new Rejection(Rejection.Kind.BUSY, "this endpoint has just started and does not serve job " + id
                    + " yet; retry shortly");
        }
        String token = bearer(call);
        authenticate(call, id, job, token);
        call.coordinator = job.coordinator();
        String method = call.method;
        Map<String, String> query = RequestParams.query(call.rawQuery);
        if (seg.length == 2) {
            requireMethod(method, "GET");
            return b -> call.respond(200, WireJson.bytes(job.coordinator().status()), "application/json");
        } else if (seg.length == 3 && seg[2].equals("task")) {
            requireMethod(method, "GET");
            String silo = query.get("silo");
            if (silo == null) {
                throw new Rejection(Rejection.Kind.NOT_FOUND, "query parameter 'silo' is required");
            }
            actFor(call, job, token, silo);
            int after = RequestParams.intParam(query, "after", 0);
            long wait = RequestParams.waitMillis(query, DEFAULT_WAIT_MILLIS, config.maxLongPoll().toMillis());
            String layout = query.get("layout");
            boolean packed = layout != null;
            if (packed && !layout.equals(job.coordinator().layout().digestHex())) {
                throw new Rejection(Rejection.Kind.INVALID, "the client's adapter layout (digest " + layout
                        + ") is not this job's (" + job.coordinator().layout().digestHex()
                        + "): it lays out other tensors or shapes than the job's spec.adapter and model give");
            }
            return b -> task(call, job, after, wait, packed);
        } else if (seg.length == 3 && seg[2].equals("adapter")) {
            requireMethod(method, "GET");
            return b -> call.sendAdapter(job.coordinator().currentAdapter());
        } else if (seg.length == 5 && seg[2].equals("rounds") && seg[4].equals("adapter")) {
            requireMethod(method, "GET");
            call.round = RequestParams.roundNumber(seg[3]);
            int since = RequestParams.intParam(query, "since", 0);
            String format = query.getOrDefault("format", "safetensors");
            if (!format.equals("packed") && !format.equals("safetensors")) {
                throw new Rejection(Rejection.Kind.INVALID, "query parameter 'format' must be packed or safetensors, got '"
                        + format + "'");
            }
            boolean packed = format.equals("packed");
            return b -> call.sendAdapter(job.coordinator().adapter(call.participant, call.round, since, packed));
        } else if (seg.length == 6 && seg[2].equals("rounds") && seg[4].equals("updates")) {
            requireMethod(method, "PUT");
            String silo = URLDecoder.decode(seg[5], StandardCharsets.UTF_8);
            actFor(call, job, token, silo);
            call.round = RequestParams.roundNumber(seg[3]);
            return b -> {
                UploadReceipt receipt = job.coordinator().submit(silo, call.round, b);
                call.respond(200, WireJson.bytes(receipt), "application/json");
            };
        } else if (seg.length == 5 && seg[2].equals("rounds") && seg[4].equals("secagg")) {
            requireMethod(method, "GET");
            String silo = query.get("silo");
            if (silo == null) {
                throw new Rejection(Rejection.Kind.NOT_FOUND, "query parameter 'silo' is required");
            }
            actFor(call, job, token, silo);
            call.round = RequestParams.roundNumber(seg[3]);
            SecureSum.Stage stage = secureStage(query.getOrDefault("stage", "advertise"));
            String session = query.get("session");
            long wait = RequestParams.waitMillis(query, DEFAULT_WAIT_MILLIS, config.maxLongPoll().toMillis());
            return b -> new SecurePoll(call, call.round, session, stage).start(wait);
        } else if (seg.length == 7 && seg[2].equals("rounds") && seg[4].equals("secagg")) {
            String silo = URLDecoder.decode(seg[5], StandardCharsets.UTF_8);
            actFor(call, job, token, silo);
            call.round = RequestParams.roundNumber(seg[3]);
            return secureMessage(call, job.coordinator(), silo, seg[6]);
        } else {
            throw notFound("no such path " + path);
        }
    }

    private static SecureSum.Stage secureStage(String name) {
        try {
            return SecureSum.Stage.parse(name);
        } catch (SecAggException e) {
            throw new Rejection(Rejection.Kind.INVALID, "query parameter 'stage': " + e.getMessage());
        }
    }

    /** A secure-aggregation stage message: keys, shares, unmask (POST, JSON) or masked (PUT, binary). */
    private static Connection.Action secureMessage(Call call, RoundCoordinator c, String silo, String what) {
        int r = call.round;
        if (what.equals("masked")) {
            requireMethod(call.method, "PUT");
            return b -> call.respond(200, WireJson.bytes(c.secureMasked(silo, r, b)), "application/json");
        }
        requireMethod(call.method, "POST");
        Connection.Action a = switch (what) {
            case "keys" -> b -> c.secureAdvertise(silo, r, SecureWire.sessionOf(b), SecureWire.readKeys(b, silo), b.length);
            case "shares" -> b -> c.secureShare(silo, r, SecureWire.sessionOf(b), SecureWire.readShares(b, silo), b.length);
            case "unmask" -> b -> c.secureReveal(silo, r, SecureWire.sessionOf(b), SecureWire.readReveals(b), b.length);
            default -> throw notFound("no such secure-aggregation stage '" + what + "' (keys, shares, masked, unmask)");
        };
        return b -> {
            try {
                a.run(b);
            } catch (IllegalArgumentException e) {
                throw new Rejection(Rejection.Kind.INVALID, what + " of '" + silo + "': " + e.getMessage());
            }
            call.respond(200, "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII), "application/json");
        };
    }

    /** A waiting secure-aggregation view: answered when the session moves on or when its wait runs out. */
    private final class SecurePoll implements Runnable {
        final Call call;
        final int round;
        final String session;
        final SecureSum.Stage stage;
        final AtomicBoolean done = new AtomicBoolean();
        volatile ScheduledFuture<?> timeout;

        SecurePoll(Call call, int round, String session, SecureSum.Stage stage) {
            this.call = call;
            this.round = round;
            this.session = session;
            this.stage = stage;
        }

        void start(long waitMillis) {
            if (!answer(waitMillis > 0 ? this : null, waitMillis <= 0)) {
                timeout = timer.schedule(this::expire, waitMillis, TimeUnit.MILLISECONDS);
                if (done.get()) {
                    timeout.cancel(false);
                }
            }
        }

        @Override
        public void run() {
            if (!done.get()) {
                handlers.execute(() -> answer(this, false));
            }
        }

        void expire() {
            call.coordinator.cancelWait(this);
            if (!done.get()) {
                handlers.execute(() -> answer(null, true));
            }
        }

        /** Answers if the view is ready (or {@code anyway}); true when answered. */
        private boolean answer(Runnable onChange, boolean anyway) {
            if (done.get()) {
                return true;
            }
            try {
                SecureWire.View v = call.coordinator.secureView(call.participant, round, anyway ? null : session, stage,
                        onChange);
                if (v == null) {
                    return false;
                }
                if (onChange != null) {
                    call.coordinator.cancelWait(onChange);
                }
                if (done.compareAndSet(false, true)) {
                    cancelTimeout();
                    call.respond(200, SecureWire.view(v), "application/json");
                }
            } catch (Rejection r) {
                if (done.compareAndSet(false, true)) {
                    cancelTimeout();
                    Connection.reject(call, r);
                }
            } catch (RuntimeException e) {
                if (done.compareAndSet(false, true)) {
                    cancelTimeout();
                    Connection.internal(call, e);
                }
            }
            return true;
        }

        private void cancelTimeout() {
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
        }
    }

    private static String bearer(Call call) {
        String header = call.requestHeaders.get("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Rejection(Rejection.Kind.UNAUTHENTICATED, "missing 'Authorization: Bearer <token>' header");
        }
        return header.substring(7).trim();
    }

    /** Who the token belongs to; a job not hosted here has no valid token, answered alike. */
    private static void authenticate(Call call, JobId id, Hosted job, String token) {
        // A job not hosted here still costs the token's hash, as a hosted job's lookup does.
        Optional<String> owner = job == null ? TokenRegistry.of(Map.of()).participantOf(token)
                : job.tokens().participantOf(token);
        if (owner.isEmpty()) {
            throw new Rejection(Rejection.Kind.UNAUTHENTICATED, "the bearer token is not valid for job " + id);
        }
        // A silo's token acts for itself; a worker shard's for each of its devices.
        call.participant = job.tokens().defaultParticipantOf(token).orElseThrow();
    }

    /** The request claims to act for {@code claimed}: the token must be allowed to. */
    private static void actFor(Call call, Hosted job, String token, String claimed) {
        if (!job.tokens().mayActFor(token, claimed)) {
            String owner = job.tokens().participantOf(token).orElse("?");
            throw new Rejection(Rejection.Kind.FORBIDDEN, "the token of '" + owner + "' cannot act for '" + claimed + "'");
        }
        call.participant = claimed;
    }

    // ================================================================ task long-poll

    private void task(Call call, Hosted job, int after, long waitMillis, boolean packed) {
        Parked parked = new Parked(call, job, after, packed);
        TaskAnswer answer = call.coordinator.pollTask(call.participant, after, waitMillis > 0 ? parked : null);
        if (!(answer instanceof TaskAnswer.Waiting) || waitMillis <= 0) {
            parked.complete(answer);
            return;
        }
        parked.timeout = timer.schedule(parked::expire, waitMillis, TimeUnit.MILLISECONDS);
        if (parked.done.get()) {
            parked.timeout.cancel(false);
        }
    }

    /** A waiting task request: answered when the job changes or when its wait runs out. */
    private final class Parked implements Runnable {
        final Call call;
        final Hosted job;
        final int after;
        final boolean packed;
        final AtomicBoolean done = new AtomicBoolean();
        volatile ScheduledFuture<?> timeout;

        Parked(Call call, Hosted job, int after, boolean packed) {
            this.call = call;
            this.job = job;
            this.after = after;
            this.packed = packed;
        }

        /** The coordinator's change notification: re-check on a handler thread. */
        @Override
        public void run() {
            if (!done.get()) {
                handlers.execute(this::recheck);
            }
        }

        private void recheck() {
            if (done.get()) {
                return;
            }
            try {
                TaskAnswer a = call.coordinator.pollTask(call.participant, after, this);
                if (!(a instanceof TaskAnswer.Waiting)) {
                    call.coordinator.cancelWait(this);
                    complete(a);
                }
            } catch (RuntimeException e) {
                call.coordinator.cancelWait(this);
                if (done.compareAndSet(false, true)) {
                    call.respond(500, WireJson.error(500, "INTERNAL", "internal error: " + e), "application/json");
                }
            }
        }

        void expire() {
            call.coordinator.cancelWait(this);
            if (!done.get()) {
                handlers.execute(() -> complete(call.coordinator.task(call.participant, after)));
            }
        }

        void complete(TaskAnswer a) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            call.round = a instanceof TaskAnswer.Work w ? w.task().round()
                    : a instanceof TaskAnswer.Waiting w ? w.currentRound() : -1;
            call.respond(200, a instanceof TaskAnswer.Work w ? workBody(job, w.task(), packed) : WireJson.task(a),
                    "application/json");
        }
    }

    // ================================================================ bodies

    /** A work answer, serializing the round's shared part once for all its participants. */
    private static byte[] workBody(Hosted job, RoundTask t, boolean packed) {
        AtomicReference<CachedTask> cache = packed ? job.packedTask() : job.task();
        CachedTask c = cache.get();
        if (c == null || c.round() != t.round() || c.attempt() != t.attempt() || !c.digest().equals(t.adapterDigest())
                || c.deadline() != t.deadlineEpochMillis()) {
            c = new CachedTask(t.round(), t.attempt(), t.adapterDigest(), t.deadlineEpochMillis(), packed,
                    WireJson.taskPrefix(t, packed ? job.coordinator().layout() : null));
            cache.set(c);
        }
        return WireJson.workTask(c.prefix(), t.seed());
    }

    // ================================================================ helpers

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new Rejection(Rejection.Kind.METHOD_NOT_ALLOWED, method + " is not supported here; use " + expected);
        }
    }

    private static Rejection notFound(String message) {
        return new Rejection(Rejection.Kind.NOT_FOUND, message);
    }
}
