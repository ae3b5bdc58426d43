package io.fedtt.core.federation.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.SecureWire;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.Traffic;
import io.fedtt.core.federation.UpdateInfo;
import io.fedtt.core.federation.UploadReceipt;
import io.fedtt.core.federation.WireJson;
import io.fedtt.core.privacy.secagg.KeyAdvert;
import io.fedtt.core.privacy.secagg.Reveal;
import io.fedtt.core.privacy.secagg.SealedShare;
import io.fedtt.core.privacy.secagg.SecureSum;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.Digest;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.SafetensorsException;
import io.fedtt.core.wire.HeldGlobal;
import io.fedtt.core.wire.PackedBody;
import io.fedtt.core.wire.PackedCodec;
import io.fedtt.core.wire.PackedFormatException;
import io.fedtt.core.wire.UpdateEncoder;
import io.fedtt.core.wire.WireLayout;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * One participant's side of the federation protocol (see the server's class comment for the
 * endpoints), on {@link java.net.http.HttpClient}: long-poll for a task, fetch the global adapter
 * (cached by digest; only changed tensors are fetched when a copy of an earlier round is held),
 * upload an update with retries. A client given the job's adapter layout ({@link Config#layout})
 * speaks the packed format in the job's encoding ({@link io.fedtt.core.wire.PackedCodec}): tasks
 * name the trainable tensors by a bitmap, downloads and uploads carry no per-tensor header, and a
 * lossy encoding's uploads are deltas with error feedback ({@link UpdateEncoder}); without a layout
 * it speaks plain safetensors. Transient failures are retried with backoff; refusals raise
 * {@link FederationHttpException} with the server's message. After its own restart a client simply
 * asks for its task again: the server never hands out a round whose update it already holds.
 * Not thread-safe: one client per participant and thread.
 */
public final class FederationClient {

    private static final System.Logger LOG = System.getLogger(FederationClient.class.getName());

    /**
     * @param base the server, e.g. {@code https://fedtt-endpoint.ns.svc:8443}
     * @param tls trust for HTTPS (null: the JVM's default trust store)
     * @param longPoll how long one task request may wait on the server
     * @param requestTimeout timeout of a request beyond its long-poll wait
     */
    public record Config(URI base, JobId job, String participant, String token, SSLContext tls,
                         Duration longPoll, Duration requestTimeout, RetryPolicy retry, WireLayout layout) {

        public Config(URI base, JobId job, String participant, String token, SSLContext tls, Duration longPoll,
                      Duration requestTimeout, RetryPolicy retry) {
            this(base, job, participant, token, tls, longPoll, requestTimeout, retry, null);
        }

        public Config {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(participant, "participant");
            Objects.requireNonNull(token, "token");
            longPoll = longPoll == null ? Duration.ofSeconds(20) : longPoll;
            requestTimeout = requestTimeout == null ? Duration.ofSeconds(60) : requestTimeout;
            retry = retry == null ? RetryPolicy.defaults() : retry;
        }

        public static Config of(URI base, JobId job, String participant, String token) {
            return new Config(base, job, participant, token, null, null, null, null);
        }

        /** The same endpoint, token and settings for another participant (a device of the same shard). */
        public Config withParticipant(String value) {
            return new Config(base, job, value, token, tls, longPoll, requestTimeout, retry, layout);
        }

        public Config withTls(SSLContext value) {
            return new Config(base, job, participant, token, value, longPoll, requestTimeout, retry, layout);
        }

        public Config withLongPoll(Duration value) {
            return new Config(base, job, participant, token, tls, value, requestTimeout, retry, layout);
        }

        /** Speaks the packed wire format over this layout (the job's adapter, as the worker lays it out). */
        public Config withLayout(WireLayout value) {
            return new Config(base, job, participant, token, tls, longPoll, requestTimeout, retry, value);
        }

        public Config withRetry(RetryPolicy value) {
            return new Config(base, job, participant, token, tls, longPoll, requestTimeout, value, layout);
        }
    }

    /** The adapter a task names is no longer the server's current one: ask for the task again. */
    public static final class StaleTaskException extends RuntimeException {
        public StaleTaskException(String message) {
            super(message);
        }
    }

    private final Config config;
    private final HttpClient http;
    private final String jobUri;
    private final AtomicLong up = new AtomicLong();
    private final AtomicLong down = new AtomicLong();
    private AdapterState cached;
    private String cachedDigest;
    private int cachedRound;
    /** The packed copy of the global adapter this client holds, and the round it is for. */
    private HeldGlobal held;
    private int heldRound;
    private final UpdateEncoder encoder;

    public FederationClient(Config config) {
        this(config, newHttpClient(config.tls()));
    }

    /** Shares one {@link HttpClient} (and its connection pool) among many clients of one process. */
    public FederationClient(Config config, HttpClient http) {
        this.config = config;
        this.http = http;
        this.jobUri = config.base().toString().replaceAll("/+$", "") + WireJson.jobPath(config.job());
        this.encoder = config.layout() == null ? null : new UpdateEncoder(config.layout());
    }

    /**
     * This client speaking the packed wire format over {@code layout}, with the traffic counted so far
     * carried over (a worker's preflight happens before it knows the layout; its bytes still count).
     */
    public FederationClient withLayout(WireLayout layout) {
        FederationClient packed = new FederationClient(config.withLayout(layout), http);
        packed.up.set(up.get());
        packed.down.set(down.get());
        return packed;
    }

    public static HttpClient newHttpClient(SSLContext tls) {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if (tls != null) {
            b.sslContext(tls);
        }
        return b.build();
    }

    public Config config() {
        return config;
    }

    /** Body bytes this client sent (up) and received (down). */
    public Traffic traffic() {
        return new Traffic(up.get(), down.get());
    }

    // ================================================================ task

    /** One task request: waits on the server up to the configured long-poll, then answers. */
    public TaskAnswer pollTask(int after) {
        String q = "/task?silo=" + enc(config.participant()) + "&after=" + after
                + "&wait=" + config.longPoll().toMillis() / 1000.0
                + (config.layout() == null ? "" : "&layout=" + config.layout().digestHex());
        HttpResponse<byte[]> r = send(() -> get(q).timeout(config.requestTimeout().plus(config.longPoll())).build());
        return WireJson.readTask(requireOk(r), config.layout());
    }

    /** Polls until there is a round after {@code after} for this participant, or the job is done. */
    public TaskAnswer nextTask(int after) {
        while (true) {
            if (Thread.currentThread().isInterrupted()) {
                throw new IllegalStateException("interrupted while waiting for a task");
            }
            TaskAnswer a = pollTask(after);
            if (!(a instanceof TaskAnswer.Waiting)) {
                return a;
            }
        }
    }

    // ================================================================ adapter

    /**
     * The global adapter {@code task} trains from: from the cache if the digest matches, else only
     * the changed tensors when an earlier round's copy is cached, else all of it. The result is
     * checked against the task's digest.
     *
     * @throws StaleTaskException if the server has moved past the task's round
     */
    public AdapterState fetchAdapter(RoundTask task) {
        if (config.layout() != null) {
            return fetchPacked(task);
        }
        if (task.adapterDigest().equals(cachedDigest)) {
            return cached;
        }
        String path = "/rounds/" + task.round() + "/adapter";
        if (cached != null && cachedRound >= 1 && cachedRound < task.round()) {
            HttpResponse<byte[]> r = send(() -> get(path + "?since=" + cachedRound).build());
            if (r.statusCode() == 200) {
                AdapterState partial = decode(r.body(), path + "?since=" + cachedRound);
                AdapterState merged = new AdapterState(cached.with(partial.tensors()).tensors(), partial.metadata());
                String digest = Digest.sha256Hex(SafetensorsCodec.encode(merged, task.wireDType()));
                if (digest.equals(task.adapterDigest())) {
                    remember(merged, digest, task.round());
                    return merged;
                }
                LOG.log(System.Logger.Level.DEBUG, "partial adapter merge gave " + digest + ", expected "
                        + task.adapterDigest() + "; fetching it whole");
            } else if (r.statusCode() != 410 && r.statusCode() != 404) {
                requireOk(r);
            }
        }
        byte[] body = fetchWhole(task, path, task.adapterDigest());
        AdapterState state = decode(body, path);
        remember(state, task.adapterDigest(), task.round());
        return state;
    }

    /**
     * The whole adapter at {@code path}, checked against the digest the task names.
     *
     * @throws StaleTaskException when the server no longer serves it or serves another one
     */
    private byte[] fetchWhole(RoundTask task, String path, String expectedDigest) {
        HttpResponse<byte[]> r = send(() -> get(path).build());
        if (r.statusCode() == 410 || r.statusCode() == 404) {
            throw new StaleTaskException("round " + task.round() + "'s adapter is not served any more: "
                    + WireJson.errorMessage(r.body()));
        }
        byte[] body = requireOk(r);
        String digest = Digest.sha256Hex(body);
        if (!digest.equals(expectedDigest)) {
            throw new StaleTaskException("the server's adapter " + path + " has digest " + digest
                    + ", the task named " + expectedDigest);
        }
        return body;
    }

    /**
     * The packed path of {@link #fetchAdapter}: only the tensors changed since the held copy when
     * there is one (merged, then checked against the task's packedDigest), else the full body.
     */
    private AdapterState fetchPacked(RoundTask task) {
        if (held != null && task.packedDigest().equals(held.digest())) {
            heldRound = task.round();
            return held.state();
        }
        WireLayout layout = config.layout();
        String path = "/rounds/" + task.round() + "/adapter?format=packed";
        if (held != null && heldRound >= 1 && heldRound < task.round()) {
            String partialPath = path + "&since=" + heldRound;
            HttpResponse<byte[]> r = send(() -> get(partialPath).build());
            if (r.statusCode() == 200) {
                HeldGlobal merged = held.merge(decodePacked(r.body(), partialPath), layout);
                if (merged.digest().equals(task.packedDigest())) {
                    held = merged;
                    heldRound = task.round();
                    return merged.state();
                }
                LOG.log(System.Logger.Level.DEBUG, "partial packed adapter merge gave " + merged.digest() + ", expected "
                        + task.packedDigest() + "; fetching it whole");
            } else if (r.statusCode() != 410 && r.statusCode() != 404) {
                requireOk(r);
            }
        }
        byte[] body = fetchWhole(task, path, task.packedDigest());
        try {
            held = HeldGlobal.of(body, decodePacked(body, path), layout);
        } catch (PackedFormatException e) {
            throw new FederationHttpException(200, "the server sent an unusable adapter for " + path + ": " + e.getMessage());
        }
        heldRound = task.round();
        return held.state();
    }

    private PackedBody decodePacked(byte[] body, String what) {
        try {
            return PackedCodec.decode(body, config.layout(), Long.MAX_VALUE);
        } catch (PackedFormatException e) {
            throw new FederationHttpException(200, "the server sent an unreadable adapter for " + what + ": "
                    + e.getMessage());
        }
    }

    /** The job's current global adapter (the final one once it is done). */
    public AdapterState fetchCurrentAdapter() {
        return decode(requireOk(send(() -> get("/adapter").build())), "/adapter");
    }

    /** The job's status as JSON. */
    public JsonNode status() {
        return WireJson.tree(requireOk(send(() -> get("").build())));
    }

    private void remember(AdapterState state, String digest, int round) {
        cached = state;
        cachedDigest = digest;
        cachedRound = round;
    }

    // ================================================================ upload

    /**
     * Uploads the update for a round: the tensors of {@code update} (exactly the task's trainable
     * ones), with {@code info} as metadata, in the task's wire dtype. Retries transient failures.
     *
     * @throws FederationHttpException if the server refuses it (e.g. 409, 410, 422)
     */
    public UploadReceipt upload(RoundTask task, AdapterState update, UpdateInfo info) {
        if (encoder == null) {
            return upload(task.round(), update, info, task.wireDType());
        }
        if (task.encoding().lossy() && (held == null || heldRound != task.round())) {
            throw new IllegalStateException("a " + task.encoding().wireName() + " update of round " + task.round()
                    + " is a delta from that round's global adapter: fetch it first");
        }
        byte[] body = encoder.encode(task.encoding(), update, held == null ? null : held.state(),
                info.toMetadata(), task.seed());
        return uploadBytes(task.round(), body);
    }

    public UploadReceipt upload(int round, AdapterState update, UpdateInfo info, DType wire) {
        byte[] body = SafetensorsCodec.encode(update.withMetadata(info.toMetadata()), wire);
        return uploadBytes(round, body);
    }

    /** Uploads an already encoded update body. */
    public UploadReceipt uploadBytes(int round, byte[] body) {
        String path = "/rounds/" + round + "/updates/" + enc(config.participant());
        HttpResponse<byte[]> r = send(() -> request(path)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), body.length);
        return receipt(requireOk(r));
    }

    // ================================================================ secure aggregation

    /** How long one secure-aggregation view request waits on the server (whatever the task long-poll). */
    private static final long SECURE_WAIT_MILLIS = 20_000;

    /**
     * This participant's view of round {@code round}'s secure session: at once when {@code session}
     * is null or no longer the round's, else once the session reaches {@code stage} (or the server's
     * wait runs out: check the stage).
     */
    public SecureWire.View secureView(int round, String session, SecureSum.Stage stage) {
        String q = "/rounds/" + round + "/secagg?silo=" + enc(config.participant()) + "&stage=" + stage.wireName()
                + (session == null ? "" : "&session=" + enc(session)) + "&wait=" + SECURE_WAIT_MILLIS / 1000.0;
        HttpResponse<byte[]> r = send(() -> get(q).timeout(config.requestTimeout().plusMillis(SECURE_WAIT_MILLIS)).build());
        return SecureWire.readView(requireOk(r));
    }

    public void secureKeys(int round, String session, KeyAdvert keys) {
        securePost(round, "keys", SecureWire.keys(session, keys));
    }

    public void secureShares(int round, String session, List<SealedShare> shares) {
        securePost(round, "shares", SecureWire.shares(session, shares));
    }

    public void secureReveal(int round, String session, List<Reveal> reveals) {
        securePost(round, "unmask", SecureWire.reveals(session, reveals));
    }

    /** Sends the masked update ({@link SecureWire#masked}); an identical repeat is acknowledged once. */
    public UploadReceipt secureMasked(int round, byte[] body) {
        String path = "/rounds/" + round + "/secagg/" + enc(config.participant()) + "/masked";
        HttpResponse<byte[]> r = send(() -> request(path)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), body.length);
        return receipt(requireOk(r));
    }

    private void securePost(int round, String stage, byte[] body) {
        String path = "/rounds/" + round + "/secagg/" + enc(config.participant()) + "/" + stage;
        requireOk(send(() -> request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), body.length));
    }

    private static UploadReceipt receipt(byte[] body) {
        JsonNode o = WireJson.tree(body);
        return new UploadReceipt(o.path("round").asInt(), o.path("participant").asText(), o.path("digest").asText(),
                o.path("duplicate").asBoolean(), o.path("received").asInt(), o.path("selected").asInt());
    }

    // ================================================================ plumbing

    private HttpRequest.Builder get(String path) {
        return request(path).GET();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(jobUri + path))
                .timeout(config.requestTimeout())
                .header("Authorization", "Bearer " + config.token());
    }

    private HttpResponse<byte[]> send(java.util.function.Supplier<HttpRequest> request) {
        return send(request, 0);
    }

    /** Sends with retries on connection errors, 408, 429 and 5xx; returns the last response otherwise. */
    private HttpResponse<byte[]> send(java.util.function.Supplier<HttpRequest> request, long bodyBytes) {
        RetryPolicy retry = config.retry();
        for (int attempt = 1; ; attempt++) {
            String failure;
            try {
                HttpResponse<byte[]> r = http.send(request.get(), HttpResponse.BodyHandlers.ofByteArray());
                up.addAndGet(bodyBytes);
                down.addAndGet(r.body() == null ? 0 : r.body().length);
                int s = r.statusCode();
                if (s != 408 && s != 429 && s < 500) {
                    return r;
                }
                if (attempt >= retry.maxAttempts()) {
                    return r;
                }
                failure = "HTTP " + s + ": " + WireJson.errorMessage(r.body());
            } catch (IOException e) {
                if (attempt >= retry.maxAttempts()) {
                    throw new FederationHttpException(0, "cannot reach " + config.base() + " after " + attempt
                            + " tries: " + e);
                }
                failure = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted talking to " + config.base(), e);
            }
            long delay = retry.delayMillis(attempt);
            LOG.log(System.Logger.Level.DEBUG, config.participant() + ": try " + attempt + " failed (" + failure
                    + "), retrying in " + delay + " ms");
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while backing off", e);
            }
        }
    }

    private static byte[] requireOk(HttpResponse<byte[]> r) {
        if (r.statusCode() != 200) {
            throw new FederationHttpException(r.statusCode(), WireJson.errorMessage(r.body()));
        }
        return r.body();
    }

    private static AdapterState decode(byte[] body, String what) {
        try {
            return SafetensorsCodec.decode(body);
        } catch (SafetensorsException e) {
            throw new FederationHttpException(200, "the server sent an unreadable adapter for " + what + ": "
                    + e.getMessage());
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
