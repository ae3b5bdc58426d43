package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.MemoryRoundStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow and silent connections from the silos' own address must not stop the federation: 200
 * connections that send half a request line, or headers and then a body one byte at a time, are
 * held open (re-opened when the server drops them) while three silos finish a job over the real
 * protocol. The server runs with its default settings.
 */
class SlowClientsTest {

    private static final int SLOW = 200;
    /** The attack stops by itself after this long, whatever happens. */
    private static final long ATTACK_LIMIT_MILLIS = 90_000;

    @Test
    @Timeout(150)
    void threeSilosFinishAJobWhile200SlowConnectionsAreHeldOpen() throws Exception {
        JobId job = new JobId("team-a", "slowloris");
        List<String> silos = Fx.names("silo-", 3);
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter()).silos(silos.toArray(String[]::new))
                .rounds(3).roundTimeout(Duration.ofMinutes(5)).build();
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        try (FederationServer server = FederationServer.start(ServerConfig.loopback());
             Attack attack = new Attack(server.baseUri(), job)) {
            server.host(coordinator, TokenRegistry.of(Fx.tokens(silos)));
            attack.start();
            attack.awaitOpened(SLOW, 30_000);

            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<Future<TaskAnswer.Done>> results = new ArrayList<>();
            for (String s : silos) {
                FederationClient c = FederationHttpTest.client(server.baseUri(), job, s);
                results.add(pool.submit(() -> ClientLoop.run(c, Fx.trainer(s), (task, receipt) -> {
                })));
            }
            for (Future<TaskAnswer.Done> f : results) {
                // Generous: only detects a server frozen by the slow connections (the job alone takes ~1 s).
                TaskAnswer.Done done = f.get(60, TimeUnit.SECONDS);
                assertEquals(JobPhase.SUCCEEDED, done.phase());
                assertEquals(3, done.finalVersion());
            }
            pool.shutdownNow();
            assertTrue(attack.running(), "the attack was still on when the job ended");
            assertEquals(3, coordinator.history().size());
            assertTrue(coordinator.history().stream().allMatch(r -> r.participants().size() == 3));
            // None of the refused attack bodies is in the job's communication figures.
            long uploaded = coordinator.history().stream().mapToLong(RoundRecord::bytesUp).sum();
            assertEquals(uploaded, coordinator.status().bytesUp());
        } finally {
            coordinator.close();
        }
    }

    /**
     * {@link #SLOW} threads, each keeping one slow connection open: half of them send half a request
     * line, the other half a full PUT header block (no valid token, a large Content-Length) and then
     * one body byte every 200 ms. A connection the server closes is re-opened after 100 ms. Stops
     * when closed or after {@link #ATTACK_LIMIT_MILLIS}.
     */
    private static final class Attack implements AutoCloseable {
        private final InetSocketAddress target;
        private final String halfLine;
        private final String slowBodyHead;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger opened = new AtomicInteger();
        private final List<Thread> threads = new ArrayList<>();
        private final long end = System.currentTimeMillis() + ATTACK_LIMIT_MILLIS;

        Attack(URI base, JobId job) {
            target = new InetSocketAddress("127.0.0.1", base.getPort());
            String path = WireJson.jobPath(job);
            halfLine = "GET " + path + "/task?silo=sil";
            slowBodyHead = "PUT " + path + "/rounds/1/updates/silo-0 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer not-a-token-of-this-job-at-all\r\n"
                    + "Content-Type: application/octet-stream\r\nContent-Length: 10000000\r\n\r\n";
        }

        void start() {
            for (int i = 0; i < SLOW; i++) {
                String first = i % 2 == 0 ? halfLine : slowBodyHead;
                Thread t = new Thread(() -> hold(first), "slow-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        boolean running() {
            return !stop.get() && System.currentTimeMillis() < end;
        }

        void awaitOpened(int n, long millis) throws InterruptedException {
            long until = System.currentTimeMillis() + millis;
            while (opened.get() < n && System.currentTimeMillis() < until) {
                Thread.sleep(10);
            }
            assertTrue(opened.get() >= n, "only " + opened.get() + " slow connections opened");
        }

        private void hold(String first) {
            while (running()) {
                try (Socket s = new Socket()) {
                    s.connect(target, 5_000);
                    opened.incrementAndGet();
                    s.setSoTimeout(1);
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    out.write(first.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    while (running()) {
                        Thread.sleep(200);
                        out.write('a');
                        out.flush();
                        if (closedByServer(in)) {
                            break;
                        }
                    }
                } catch (IOException e) {
                    // dropped by the server: open another
                } catch (InterruptedException e) {
                    return;
                }
                pause(100);
            }
        }

        private static boolean closedByServer(InputStream in) throws IOException {
            try {
                byte[] b = new byte[4096];
                while (true) {
                    if (in.read(b) < 0) {
                        return true;
                    }
                }
            } catch (SocketTimeoutException e) {
                return false;
            }
        }

        private void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                stop.set(true);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(5_000);
            }
        }
    }
}
