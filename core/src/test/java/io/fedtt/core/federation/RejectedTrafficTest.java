package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.tensor.DType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refused upload bodies stay out of the job's communication figures (bytesUp, the round's tally). */
class RejectedTrafficTest {

    @Test
    void onlyTheAcceptedUploadCountsInBytesUp() throws Exception {
        JobId job = new JobId("team-a", "rejected");
        List<String> silos = Fx.names("silo-", 3);
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter()).silos(silos.toArray(String[]::new))
                .rounds(1).roundTimeout(Duration.ofMinutes(10)).build();
        RoundCoordinator c = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        HttpClient http = HttpClient.newHttpClient();
        try (FederationServer server = FederationServer.start(ServerConfig.loopback())) {
            server.host(c, TokenRegistry.of(Fx.tokens(silos)));
            String url = server.baseUri() + WireJson.jobPath(job) + "/rounds/1/updates/silo-0";
            byte[] junk = new byte[200_000];
            for (int i = 0; i < 10; i++) {
                assertEquals(422, put(http, url, Fx.token("silo-0"), junk).statusCode());
            }
            byte[] good = Fx.updateBytes(c.global(), c.global().names(), "silo-0", 1, DType.F32);
            HttpResponse<String> ok = put(http, url, Fx.token("silo-0"), good);
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(good.length, c.status().bytesUp(), "only the accepted body counts in the job's figures");
            assertEquals(good.length, c.traffic().roundTraffic().get("silo-0").up(), "nor in the round's tally");
            assertTrue(c.traffic().rejected().up() >= 10L * junk.length, "refused bodies count apart");
            // Refused before the body is read (wrong silo, no valid token): the answer still arrives.
            for (int i = 0; i < 10; i++) {
                assertEquals(403, put(http, url, Fx.token("silo-1"), junk).statusCode());
                assertEquals(401, put(http, url, "made-up-token-0123456789", junk).statusCode());
            }
            assertEquals(good.length, c.status().bytesUp());
            assertTrue(c.history().isEmpty());
        } finally {
            c.close();
        }
    }

    private static HttpResponse<String> put(HttpClient http, String url, String token, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
