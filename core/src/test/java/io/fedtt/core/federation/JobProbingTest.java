package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.MemoryRoundStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Without a valid token, a job the server hosts and one it does not answer alike (status code and
 * message, job name aside), on every path and method of protocol v1: job names cannot be probed.
 */
class JobProbingTest {

    private static final List<String> PATHS = List.of("", "/task?silo=silo-0", "/adapter", "/rounds/1/adapter",
            "/rounds/1/updates/silo-0", "/rounds/x/adapter", "/no-such-thing");

    @Test
    void aHostedAndAnUnknownJobAnswerAlikeWithoutAValidToken() throws Exception {
        JobId real = new JobId("team-a", "real");
        JobId unknown = new JobId("team-a", "unknown");
        List<String> silos = Fx.names("silo-", 2);
        FederationJobSpec spec = FederationJobSpec.builder(real, Fx.smallAdapter()).silos(silos.toArray(String[]::new))
                .rounds(1).roundTimeout(Duration.ofMinutes(10)).build();
        RoundCoordinator c = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        HttpClient http = HttpClient.newHttpClient();
        try (FederationServer server = FederationServer.start(ServerConfig.loopback())) {
            server.host(c, TokenRegistry.of(Fx.tokens(silos)));
            // A token of another job's silo, a made-up one, none.
            for (String token : new String[] {Fx.token("silo-elsewhere"), "made-up-token-0123456789", null}) {
                for (String path : PATHS) {
                    for (String method : List.of("GET", "PUT")) {
                        HttpResponse<String> a = send(http, server, real, path, method, token);
                        HttpResponse<String> b = send(http, server, unknown, path, method, token);
                        String what = method + " " + path + " with token " + token;
                        assertEquals(401, a.statusCode(), what + " on the hosted job: " + a.body());
                        assertEquals(a.statusCode(), b.statusCode(), what);
                        assertEquals(a.body().replace(real.toString(), "JOB"), b.body().replace(unknown.toString(), "JOB"),
                                what);
                    }
                }
            }
            // With a valid token the hosted job answers as before.
            assertEquals(200, send(http, server, real, "", "GET", Fx.token("silo-0")).statusCode());
        } finally {
            c.close();
        }
    }

    /**
     * Right after a start (an operator restart) a job not hosted yet answers "retry" (503), which
     * workers retry, not 401, which they take as a bad token; once hosted it is served as usual.
     */
    @Test
    void withinTheStartupGraceAJobNotHostedYetAnswersRetry() throws Exception {
        JobId id = new JobId("team-a", "late");
        List<String> silos = Fx.names("silo-", 2);
        FederationJobSpec spec = FederationJobSpec.builder(id, Fx.smallAdapter()).silos(silos.toArray(String[]::new))
                .rounds(1).roundTimeout(Duration.ofMinutes(10)).build();
        RoundCoordinator c = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        HttpClient http = HttpClient.newHttpClient();
        try (FederationServer server = FederationServer.start(ServerConfig.loopback()
                .withStartupGrace(Duration.ofMinutes(10)))) {
            HttpResponse<String> early = send(http, server, id, "/task?silo=silo-0", "GET", Fx.token("silo-0"));
            assertEquals(503, early.statusCode(), early.body());
            assertEquals("1", early.headers().firstValue("Retry-After").orElse(null));
            server.host(c, TokenRegistry.of(Fx.tokens(silos)));
            assertEquals(200, send(http, server, id, "", "GET", Fx.token("silo-0")).statusCode());
            assertEquals(401, send(http, server, id, "", "GET", "made-up-token-0123456789").statusCode());
        } finally {
            c.close();
        }
    }

    private static HttpResponse<String> send(HttpClient http, FederationServer server, JobId job, String path,
                                             String method, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUri() + WireJson.jobPath(job) + path))
                .method(method, method.equals("PUT") ? HttpRequest.BodyPublishers.ofString("not an update")
                        : HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
