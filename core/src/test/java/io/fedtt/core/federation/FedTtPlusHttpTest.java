package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.freeze.FreezingConfig;
import io.fedtt.core.freeze.FreezingPolicies;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** FedTT+ over HTTP with the real MiniLM TT adapter: only trainable cores travel, in both directions. */
class FedTtPlusHttpTest {

    @Test
    @Timeout(120)
    void roundRobinFreezingSendsOnlyChangedTensorsAndAggregatesExactly() throws Exception {
        AdapterLayout layout = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt());
        AdapterState init = AdapterInitializer.initialize(layout, 3);
        FreezingPolicy policy = FreezingPolicies.create("roundRobin", FreezingConfig.defaults(), layout, 3);
        JobId job = new JobId("plus", "rr");
        List<String> silos = List.of("silo-a", "silo-b", "silo-c");
        FederationJobSpec spec = FederationJobSpec.builder(job, init).silos(silos.toArray(String[]::new)).rounds(4)
                .freezing("roundRobin", policy).wireDType(DType.F32).build();
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        int fullBytes = SafetensorsCodec.encode(init, DType.F32).length;
        try (FederationServer server = FederationServer.start(ServerConfig.loopback())) {
            server.host(coordinator, TokenRegistry.of(Fx.tokens(silos)));
            ExecutorService pool = Executors.newFixedThreadPool(3);
            List<FederationClient> clients = new ArrayList<>();
            List<Future<TaskAnswer.Done>> loops = new ArrayList<>();
            for (String s : silos) {
                FederationClient c = FederationHttpTest.client(server.baseUri(), job, s);
                clients.add(c);
                loops.add(pool.submit(() -> ClientLoop.run(c, Fx.trainer(s))));
            }
            for (Future<TaskAnswer.Done> f : loops) {
                assertEquals(JobPhase.SUCCEEDED, f.get(90, TimeUnit.SECONDS).phase());
            }
            pool.shutdown();
            List<RoundRecord> h = coordinator.history();
            assertEquals(4, h.size());
            Map<String, Double> w = new LinkedHashMap<>();
            silos.forEach(s -> w.put(s, 1.0));
            AdapterState expected = init;
            for (RoundRecord r : h) {
                assertTrue(r.trainable().size() < init.names().size(), "round " + r.round() + " freezes some cores");
                expected = Fx.expectedRound(expected, Set.copyOf(r.trainable()), w, r.round());
            }
            assertTrue(!h.get(0).trainable().equals(h.get(1).trainable()), "round robin rotates the trainable cores");
            double diff = Fx.maxAbsDiff(expected, coordinator.global());
            assertTrue(diff < 1e-6, "differs from the independent masked average by " + diff);
            // Round r+1's adapter for a client holding round r's: only the tensors trainable in round r.
            long adapterBytes = fullBytes;
            long updateBytes = 0;
            for (RoundRecord r : h) {
                Set<String> mask = Set.copyOf(r.trainable());
                if (r.round() < 4) {
                    adapterBytes += SafetensorsCodec.encode(init.select(mask::contains), DType.F32).length;
                }
                updateBytes += SafetensorsCodec.encode(new AdapterState(init.select(mask::contains).tensors()), DType.F32).length;
            }
            assertTrue(adapterBytes < 3L * fullBytes, "partial adapters are smaller: " + adapterBytes);
            // Task answers list the trainable names: allow for them, plus a few "waiting" answers.
            long taskJson = h.stream().mapToLong(r -> r.trainable().stream().mapToLong(n -> n.length() + 3).sum() + 600).sum()
                    + 2_000;
            for (FederationClient c : clients) {
                long json = c.traffic().down() - adapterBytes;
                assertTrue(json >= 0 && json < taskJson, "client downloaded " + c.traffic().down()
                        + " bytes; adapters (first full, then only changed tensors) are " + adapterBytes);
                long meta = c.traffic().up() - updateBytes;
                assertTrue(meta >= 0 && meta < 4 * 300, "uploads carry only trainable tensors: " + c.traffic().up()
                        + " vs " + updateBytes);
            }
        } finally {
            coordinator.close();
        }
    }

    /** Many parked long-polls on a two-thread server do not hold up uploads. */
    @Test
    @Timeout(60)
    void parkedLongPollsDoNotStarveUploads() throws Exception {
        JobId job = new JobId("plus", "starve");
        List<String> devices = Fx.names("d-", 60);
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter())
                .participants(devices.stream().map(Participant::of).toList())
                .sampling(Sampling.count(2)).minParticipants(2).rounds(2).build();
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new MemoryRoundStore(), CoordinatorOptions.defaults());
        try (FederationServer server = FederationServer.start(ServerConfig.loopback().withThreads(2))) {
            server.host(coordinator, TokenRegistry.of(Fx.tokens(devices)));
            List<String> selected = coordinator.selected();
            HttpClient http = HttpClient.newHttpClient();
            List<CompletableFuture<HttpResponse<byte[]>>> parked = new ArrayList<>();
            for (String d : devices) {
                if (!selected.contains(d)) {
                    parked.add(http.sendAsync(HttpRequest.newBuilder(URI.create(server.baseUri() + WireJson.jobPath(job)
                                    + "/task?silo=" + d + "&after=0&wait=3")).header("Authorization", "Bearer " + Fx.token(d)).build(),
                            HttpResponse.BodyHandlers.ofByteArray()));
                }
            }
            Thread.sleep(300);
            assertTrue(parked.stream().noneMatch(CompletableFuture::isDone), "non-selected devices wait");
            long t0 = System.nanoTime();
            for (String d : selected) {
                FederationClient c = FederationHttpTest.client(server.baseUri(), job, d);
                RoundTask t = ((TaskAnswer.Work) c.pollTask(0)).task();
                c.upload(t, Fx.pseudoUpdate(c.fetchAdapter(t), t.trainable(), d, 1), Fx.info(d, 1));
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 5000, "uploads took " + ms + " ms with " + parked.size() + " parked polls");
            // Round 2 opens: the parked polls of devices now selected are answered with work at once.
            FederationHttpTest.await(() -> coordinator.status().round() == 2, "round 2");
            List<String> selected2 = coordinator.selected();
            for (CompletableFuture<HttpResponse<byte[]>> f : parked) {
                TaskAnswer a = WireJson.readTask(f.get(10, TimeUnit.SECONDS).body());
                if (a instanceof TaskAnswer.Work work) {
                    assertEquals(2, work.task().round());
                } else {
                    assertInstanceOf(TaskAnswer.Waiting.class, a);
                }
            }
            long woken = parked.stream().map(CompletableFuture::join)
                    .filter(r -> WireJson.readTask(r.body()) instanceof TaskAnswer.Work).count();
            assertEquals(selected2.stream().filter(d -> !selected.contains(d)).count(), woken);
        } finally {
            coordinator.close();
        }
    }
}
