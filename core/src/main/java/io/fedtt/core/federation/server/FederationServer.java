package io.fedtt.core.federation.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.WireJson;
import io.fedtt.core.federation.coordinator.Rejection;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.coordinator.TrafficMeter;
import io.fedtt.core.federation.UploadReceipt;
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

/**
 * The federation endpoint (protocol v1) on the JDK's HTTP server, hosting any number of jobs:
 * <pre>
 * GET /v1/jobs/{ns}/{name}/task?silo=S&amp;after=R&amp;wait=SECONDS
 *     the next round after R that S takes part in (long-poll up to wait, bounded by the server);
 *     JSON, see {@link WireJson}: work, waiting (poll again) or done
 * GET /v1/jobs/{ns}/{name}/rounds/{r}/adapter[?since=K]
 *     the global adapter round r trains from, safetensors in the job's wire dtype; ETag = "sha256 hex",
 *     If-None-Match -&gt; 304. since=K: the caller holds round K's adapter; only tensors changed since
 *     (trainable in a completed round &gt;= K) are sent (X-Fedtt-Partial: true) - merge them into that copy
 *     and check the result against the task's adapterDigest
 * PUT /v1/jobs/{ns}/{name}/rounds/{r}/updates/{silo}
 *     S's update (safetensors with fedtt.* metadata); 200 with an ack once stored, also for an
 *     identical repeat (counted once)
 * GET /v1/jobs/{ns}/{name}/adapter     the current global adapter (the final one once done)
 * GET /v1/jobs/{ns}/{name}             the job's status (JSON)
 * </pre>
 * Every request carries {@code Authorization: Bearer <token of the silo>} (a cross-device worker
 * shard's one token acts for each of its devices, see {@link TokenRegistry}). Errors are JSON
 * {@code {"status","error","message"}}: 401 no or unknown token, 403 a token that cannot act for the
 * silo or a silo
 * not selected, 404 unknown job/round/path, 409 a different update already accepted, 410 round or
 * job closed, 413 body over the limit (checked while reading), 422 invalid tensors or metadata,
 * 503 the same upload is in progress.
 *
 * <p>Long-polls park their exchange and free the handler thread, so a bounded pool serves any
 * number of waiting clients and uploads never queue behind them. Body bytes are counted per job,
 * round, participant and direction into the job's {@link TrafficMeter}: an upload as soon as it is
 * read, every answer once written.
 */
public final class FederationServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(FederationServer.class.getName());
    private static final String PREFIX = "/v1/jobs/";
    private static final long DEFAULT_WAIT_MILLIS = 20_000;

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY every small
        // response waits for the peer's delayed ACK (~40 ms on Linux). Read once, JVM-wide, when
        // the first JDK HTTP server is created: set -Dsun.net.httpserver.nodelay=false to opt out.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final ServerConfig config;
    private final HttpServer http;
    private final ThreadPoolExecutor handlers;
    private final ScheduledExecutorService timer;
    private final Map<JobId, Hosted> jobs = new ConcurrentHashMap<>();

    private record Hosted(RoundCoordinator coordinator, TokenRegistry tokens, AtomicReference<CachedTask> task) {
    }

    /** The participant-independent part of the current round try's task JSON. */
    private record CachedTask(int round, int attempt, String digest, long deadline, byte[] prefix) {
    }

    private FederationServer(ServerConfig config) throws IOException {
        this.config = config;
        if (config.tls() != null) {
            HttpsServer https = HttpsServer.create(config.bind(), 1024);
            https.setHttpsConfigurator(new HttpsConfigurator(config.tls()));
            http = https;
        } else {
            http = HttpServer.create(config.bind(), 1024);
        }
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
        http.setExecutor(handlers);
        http.createContext("/", this::handle);
    }

    /** Binds and starts serving. */
    public static FederationServer start(ServerConfig config) throws IOException {
        FederationServer s = new FederationServer(config);
        s.http.start();
        long tick = Math.max(10, config.deadlineTick().toMillis());
        s.timer.scheduleWithFixedDelay(s::checkDeadlines, tick, tick, TimeUnit.MILLISECONDS);
        return s;
    }

    /** Serves a job; its participants authenticate with {@code tokens}. */
    public void host(RoundCoordinator coordinator, TokenRegistry tokens) {
        jobs.put(coordinator.job(), new Hosted(coordinator, tokens, new AtomicReference<>()));
    }

    /** Stops serving a job (its requests get 404 from now on). */
    public void unhost(JobId job) {
        jobs.remove(job);
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** The base URI clients use, e.g. {@code https://127.0.0.1:8443}. */
    public URI baseUri() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create((config.tls() != null ? "https" : "http") + "://" + host + ":" + a.getPort());
    }

    @Override
    public void close() {
        http.stop(0);
        timer.shutdownNow();
        handlers.shutdownNow();
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
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

    private void handle(HttpExchange ex) {
        Call call = new Call(ex);
        try {
            route(call);
        } catch (Rejection r) {
            RejectionStatus.setHeaders(r.kind(), ex.getRequestMethod(), ex.getResponseHeaders());
            int status = RejectionStatus.of(r.kind());
            call.respond(status, WireJson.error(status, r.kind().name(), r.getMessage()), "application/json");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "client connection failed: " + e);
            ex.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "federation request " + ex.getRequestMethod() + " "
                    + ex.getRequestURI() + " failed", e);
            call.respond(500, WireJson.error(500, "INTERNAL", "internal error: " + e), "application/json");
        }
    }

    private void route(Call call) throws IOException {
        HttpExchange ex = call.ex;
        String path = ex.getRequestURI().getRawPath();
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
            throw notFound("no job " + seg[0] + "/" + seg[1]);
        }
        Hosted job = jobs.get(id);
        if (job == null) {
            throw notFound("no job " + id + " on this server");
        }
        call.coordinator = job.coordinator();
        String method = ex.getRequestMethod();
        Map<String, String> query = RequestParams.query(ex.getRequestURI().getRawQuery());
        if (seg.length == 2) {
            requireMethod(method, "GET");
            authenticate(call, job, null);
            call.respond(200, WireJson.bytes(job.coordinator().status()), "application/json");
        } else if (seg.length == 3 && seg[2].equals("task")) {
            requireMethod(method, "GET");
            String silo = query.get("silo");
            if (silo == null) {
                throw new Rejection(Rejection.Kind.NOT_FOUND, "query parameter 'silo' is required");
            }
            authenticate(call, job, silo);
            task(call, job, RequestParams.intParam(query, "after", 0),
                    RequestParams.waitMillis(query, DEFAULT_WAIT_MILLIS, config.maxLongPoll().toMillis()));
        } else if (seg.length == 3 && seg[2].equals("adapter")) {
            requireMethod(method, "GET");
            authenticate(call, job, null);
            call.sendAdapter(job.coordinator().currentAdapter());
        } else if (seg.length == 5 && seg[2].equals("rounds") && seg[4].equals("adapter")) {
            requireMethod(method, "GET");
            authenticate(call, job, null);
            call.round = RequestParams.roundNumber(seg[3]);
            call.sendAdapter(job.coordinator().adapter(call.participant, call.round,
                    RequestParams.intParam(query, "since", 0)));
        } else if (seg.length == 6 && seg[2].equals("rounds") && seg[4].equals("updates")) {
            requireMethod(method, "PUT");
            String silo = URLDecoder.decode(seg[5], StandardCharsets.UTF_8);
            authenticate(call, job, silo);
            call.round = RequestParams.roundNumber(seg[3]);
            byte[] body = call.readBody(config.maxBodyBytes());
            UploadReceipt receipt = job.coordinator().submit(silo, call.round, body);
            call.respond(200, WireJson.bytes(receipt), "application/json");
        } else {
            throw notFound("no such path " + path);
        }
    }

    private void authenticate(Call call, Hosted job, String claimed) {
        String header = call.ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Rejection(Rejection.Kind.UNAUTHENTICATED, "missing 'Authorization: Bearer <token>' header");
        }
        String token = header.substring(7).trim();
        Optional<String> owner = job.tokens().participantOf(token);
        if (owner.isEmpty()) {
            throw new Rejection(Rejection.Kind.UNAUTHENTICATED, "the bearer token is not valid for job " + job.coordinator().job());
        }
        // A silo's token acts for itself; a worker shard's for each of its devices.
        String self = job.tokens().defaultParticipantOf(token).orElseThrow();
        if (claimed != null && !job.tokens().mayActFor(token, claimed)) {
            call.participant = self;
            throw new Rejection(Rejection.Kind.FORBIDDEN, "the token of '" + owner.get() + "' cannot act for '" + claimed + "'");
        }
        call.participant = claimed != null ? claimed : self;
    }

    // ================================================================ task long-poll

    private void task(Call call, Hosted job, int after, long waitMillis) {
        Parked parked = new Parked(call, job, after);
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
        final AtomicBoolean done = new AtomicBoolean();
        volatile ScheduledFuture<?> timeout;

        Parked(Call call, Hosted job, int after) {
            this.call = call;
            this.job = job;
            this.after = after;
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
            call.respond(200, a instanceof TaskAnswer.Work w ? workBody(job, w.task()) : WireJson.task(a),
                    "application/json");
        }
    }

    // ================================================================ bodies

    /** A work answer, serializing the round's shared part once for all its participants. */
    private static byte[] workBody(Hosted job, RoundTask t) {
        CachedTask c = job.task().get();
        if (c == null || c.round() != t.round() || c.attempt() != t.attempt() || !c.digest().equals(t.adapterDigest())
                || c.deadline() != t.deadlineEpochMillis()) {
            c = new CachedTask(t.round(), t.attempt(), t.adapterDigest(), t.deadlineEpochMillis(), WireJson.taskPrefix(t));
            job.task().set(c);
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
