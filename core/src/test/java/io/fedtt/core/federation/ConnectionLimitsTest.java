package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.MemoryRoundStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-connection limits of the federation server: a request whose headers or body are too slow
 * and a silent connection are closed; authenticated long-polls are not subject to the cap on
 * unauthenticated connections. Timeouts here are short; the waits are generous and only detect a
 * connection that is never closed.
 */
class ConnectionLimitsTest {

    private final JobId job = new JobId("team-a", "limits");
    private final List<String> silos = Fx.names("silo-", 2);
    private RoundCoordinator coordinator;
    private FederationServer server;

    @BeforeEach
    void start() throws IOException {
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter()).silos(silos.toArray(String[]::new))
                .rounds(1).roundTimeout(Duration.ofMinutes(10)).build();
        coordinator = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        server = FederationServer.start(ServerConfig.loopback()
                .withTimeouts(Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofSeconds(1))
                .withPendingCaps(48, 64));
        server.host(coordinator, TokenRegistry.of(Fx.tokens(silos)));
    }

    @AfterEach
    void stop() {
        server.close();
        coordinator.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(20_000);
        return s;
    }

    /** Everything the server sends until it closes the connection (a read timeout fails the test). */
    private static String untilClosed(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] b = new byte[4096];
        int n;
        while ((n = in.read(b)) >= 0) {
            got.write(b, 0, n);
        }
        return got.toString(StandardCharsets.US_ASCII);
    }

    @Test
    @Timeout(60)
    void halfARequestLineIsClosed() throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + WireJson.jobPath(job) + "/ta").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals("", untilClosed(s));
        }
    }

    @Test
    @Timeout(60)
    void aSilentConnectionIsClosed() throws IOException {
        try (Socket s = connect()) {
            assertEquals("", untilClosed(s));
        }
    }

    @Test
    @Timeout(60)
    void anAuthenticatedBodyThatStopsGets408AndTheConnectionCloses() throws IOException {
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT " + WireJson.jobPath(job) + "/rounds/1/updates/silo-0 HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + Fx.token("silo-0") + "\r\nContent-Length: 5000\r\n\r\n0123456789")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = untilClosed(s);
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("did not arrive"), answer);
        }
        assertEquals(List.of(), coordinator.received());
        assertEquals(0, coordinator.status().bytesUp());
    }

    @Test
    @Timeout(90)
    void authenticatedLongPollsOutnumberingTheCapAreAllAnsweredWhileSlowConnectionsComeAndGo() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String silo = silos.get(i % 2);
            // Round 1 is open: waiting for a round after 1 parks the request for its whole wait.
            HttpRequest r = HttpRequest.newBuilder(URI.create(server.baseUri() + WireJson.jobPath(job)
                            + "/task?silo=" + silo + "&after=1&wait=4"))
                    .header("Authorization", "Bearer " + Fx.token(silo)).build();
            polls.add(http.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(500);
        // Once every poll has authenticated, 100 slow connections from the same address: over the cap
        // of 48 they push each other out, never an authenticated connection.
        FederationHttpTest.await(() -> server.pendingConnections() == 0, "the polls to authenticate");
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                Socket s = connect();
                s.getOutputStream().write("GET /v1/jo".getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            for (CompletableFuture<HttpResponse<String>> p : polls) {
                HttpResponse<String> r = p.get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(r.body().contains("waiting"), r.body());
            }
            assertTrue(server.evictedConnections() > 0, "the cap was reached");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }
}
