package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every way an upload (or request) can be wrong, over HTTP: each gets its status code and a JSON
 * message naming the problem, and none of them changes the round's aggregate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadUploadTest {

    private static final List<String> TRAINABLE = Fx.HEAD_FROZEN_TRAINABLE;
    private static final List<String> SILOS = List.of("silo-0", "silo-1", "silo-2");

    private final JobId job = new JobId("team-b", "bad");
    private final HttpClient http = HttpClient.newHttpClient();
    private RoundCoordinator coordinator;
    private FederationServer server;
    private AdapterState global;

    @BeforeAll
    void start() throws Exception {
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter()).silos(SILOS.toArray(String[]::new))
                .rounds(2).freezing("headFrozen", Fx.headFrozen()).roundTimeout(Duration.ofMinutes(10)).build();
        coordinator = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults().withDriver(Runnable::run));
        server = FederationServer.start(ServerConfig.loopback().withMaxBodyBytes(4096));
        server.host(coordinator, TokenRegistry.of(Fx.tokens(SILOS)));
        global = coordinator.global();
    }

    @AfterAll
    void stop() {
        server.close();
        coordinator.close();
    }

    private String url(String path) {
        return server.baseUri() + WireJson.jobPath(job) + path;
    }

    private HttpResponse<byte[]> put(String path, String token, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> get(String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String expect(HttpResponse<byte[]> r, int status, String inMessage) {
        JsonNode body = WireJson.tree(r.body());
        String message = body.path("message").asText();
        assertEquals(status, r.statusCode(), "status for: " + message);
        assertEquals(status, body.path("status").asInt());
        assertTrue(message.contains(inMessage), "message '" + message + "' should mention '" + inMessage + "'");
        return message;
    }

    private byte[] update(Map<String, Tensor> tensors, Map<String, String> meta, DType wire) {
        return SafetensorsCodec.encode(new AdapterState(tensors, meta), wire);
    }

    private Map<String, Tensor> good(String silo) {
        return new LinkedHashMap<>(Fx.pseudoUpdate(global, TRAINABLE, silo, 1).tensors());
    }

    private Map<String, String> meta(String silo) {
        return Fx.info(silo, 1).toMetadata();
    }

    @Test
    void everyBadRequestIsRefusedWithItsCodeAndTheAggregateIsUnchanged() throws Exception {
        String u0 = "/rounds/1/updates/silo-0";
        byte[] valid0 = update(good("silo-0"), meta("silo-0"), DType.F32);
        String t0 = Fx.token("silo-0");
        String t1 = Fx.token("silo-1");

        expect(put(u0, null, valid0), 401, "Authorization");
        expect(put(u0, "not-a-token-of-anyone-here", valid0), 401, "not valid");
        expect(put(u0, t1, valid0), 403, "'silo-1' cannot act for 'silo-0'");
        expect(get("/task?silo=silo-0&after=0&wait=0", t1), 403, "cannot act for 'silo-0'");
        expect(http.send(HttpRequest.newBuilder(URI.create(server.baseUri() + "/v1/jobs/team-b/nope/task?silo=silo-0"))
                .header("Authorization", "Bearer " + t0).build(), HttpResponse.BodyHandlers.ofByteArray()), 401,
                "not valid for job team-b/nope");
        expect(put("/rounds/7/updates/silo-0", t0, valid0), 404, "round 7 is not open");
        expect(get("/rounds/1/updates/silo-0", t0), 405, "use PUT");

        // 413: declared too large, and too large while reading a body of unknown length.
        expect(put(u0, t0, new byte[5000]), 413, "over the limit of 4096 bytes");
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(url(u0))).header("Authorization", "Bearer " + t0)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[9000]))).build();
        expect(http.send(chunked, HttpResponse.BodyHandlers.ofByteArray()), 413, "over the limit");

        // 422: each names the tensor (or key) and what is wrong.
        Map<String, Tensor> extra = good("silo-0");
        extra.put("x.unknown", Tensor.zeros(2));
        expect(put(u0, t0, update(extra, meta("silo-0"), DType.F32)), 422, "tensor 'x.unknown' is not part of this job's adapter");
        Map<String, Tensor> shape = good("silo-0");
        shape.put("a.core1", Tensor.zeros(4, 2));
        expect(put(u0, t0, update(shape, meta("silo-0"), DType.F32)), 422, "tensor 'a.core1' has shape [4, 2], the adapter's is [2, 4, 1]");
        expect(put(u0, t0, update(good("silo-0"), meta("silo-0"), DType.F16)), 422, "has dtype F16, this job's wire dtype is F32");
        Map<String, Tensor> nan = good("silo-0");
        float[] d = nan.get("b.bias").data().clone();
        d[2] = Float.NaN;
        nan.put("b.bias", new Tensor(new int[] {5}, d));
        expect(put(u0, t0, update(nan, meta("silo-0"), DType.F32)), 422, "tensor 'b.bias': element 2 is NaN");
        Map<String, Tensor> frozen = good("silo-0");
        frozen.put("head.w", global.get("head.w"));
        expect(put(u0, t0, update(frozen, meta("silo-0"), DType.F32)), 422, "tensor 'head.w' is frozen in round 1");
        Map<String, Tensor> missing = good("silo-0");
        missing.remove("a.core0");
        expect(put(u0, t0, update(missing, meta("silo-0"), DType.F32)), 422, "tensor 'a.core0' is trainable in round 1 but missing");
        expect(put(u0, t0, update(good("silo-0"), Map.of(), DType.F32)), 422, "metadata 'fedtt.examples' is missing");
        expect(put(u0, t0, update(good("silo-0"), Map.of(UpdateInfo.EXAMPLES, "-3"), DType.F32)), 422, "fedtt.examples");
        expect(put(u0, t0, "definitely not safetensors".getBytes()), 422, "not a valid safetensors update");
        assertEquals(List.of(), coordinator.received(), "no bad upload counted");

        // The valid upload is accepted; a repeat is success without counting twice; a different one conflicts.
        HttpResponse<byte[]> ok = put(u0, t0, valid0);
        assertEquals(200, ok.statusCode(), new String(ok.body()));
        HttpResponse<byte[]> again = put(u0, t0, valid0);
        assertEquals(200, again.statusCode());
        assertTrue(WireJson.tree(again.body()).path("duplicate").asBoolean());
        Map<String, Tensor> other = new LinkedHashMap<>(Fx.pseudoUpdate(global, TRAINABLE, "silo-0", 99).tensors());
        expect(put(u0, t0, update(other, meta("silo-0"), DType.F32)), 409, "a different update from 'silo-0' for round 1 was already accepted");
        assertEquals(List.of("silo-0"), coordinator.received());

        for (String s : List.of("silo-1", "silo-2")) {
            assertEquals(200, put("/rounds/1/updates/" + s, Fx.token(s), update(good(s), meta(s), DType.F32)).statusCode());
        }
        assertEquals(2, coordinator.status().round());
        expect(put("/rounds/1/updates/silo-2", Fx.token("silo-2"), update(good("silo-2"), meta("silo-2"), DType.F32)),
                410, "round 1 is closed");

        // The aggregate holds exactly the three valid updates; the frozen head did not move.
        Map<String, Double> w = Map.of("silo-0", 1.0, "silo-1", 1.0, "silo-2", 1.0);
        AdapterState expected = Fx.expectedRound(global, Set.copyOf(TRAINABLE), w, 1);
        assertTrue(Fx.maxAbsDiff(expected, coordinator.global()) < 1e-6);
        assertEquals(global.get("head.w"), coordinator.global().get("head.w"));
        // Only the acknowledged bodies (three updates and silo-0's repeat) are in the job's figures;
        // the refused ones that were read count apart.
        long acknowledged = 2L * valid0.length;
        for (String s : List.of("silo-1", "silo-2")) {
            acknowledged += update(good(s), meta(s), DType.F32).length;
        }
        assertEquals(acknowledged, coordinator.status().bytesUp());
        assertTrue(coordinator.traffic().rejected().up() > 5000, "refused bodies: " + coordinator.traffic().rejected());
    }

    @Test
    void adapterEndpointAnswersEtagsAndNotModified() throws Exception {
        String t2 = Fx.token("silo-2");
        String path = "/rounds/" + coordinator.status().round() + "/adapter";
        HttpResponse<byte[]> r = get(path, t2);
        assertEquals(200, r.statusCode());
        String etag = r.headers().firstValue("ETag").orElseThrow();
        assertEquals("\"" + coordinator.status().globalDigest() + "\"", etag);
        HttpResponse<byte[]> notModified = http.send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", "Bearer " + t2).header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(304, notModified.statusCode());
        assertEquals(0, notModified.body().length);
    }
}
