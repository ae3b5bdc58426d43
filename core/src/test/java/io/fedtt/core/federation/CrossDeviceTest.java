package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.strategy.ParticipantSampler;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.tensor.AdapterState;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** 10,000 registered devices, 100 sampled per round, 5 rounds, over loopback HTTP. */
class CrossDeviceTest {

    @Test
    @Timeout(180)
    void tenThousandRegisteredHundredPerRoundFiveRounds(@TempDir Path dir) throws Exception {
        JobId job = new JobId("devices", "xdev");
        List<String> devices = Fx.names("device-", 10_000);
        FederationJobSpec spec = FederationJobSpec.builder(job, Fx.smallAdapter())
                .participants(devices.stream().map(Participant::of).toList())
                .sampling(Sampling.count(100)).minParticipants(90).rounds(5).seed(7)
                .roundTimeout(Duration.ofMinutes(5)).build();
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new FileRoundStore(dir), CoordinatorOptions.defaults());
        HttpClient shared = FederationClient.newHttpClient(null);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (FederationServer server = FederationServer.start(ServerConfig.loopback())) {
            server.host(coordinator, TokenRegistry.of(Fx.tokens(devices)));
            AdapterState expected = Fx.smallAdapter();
            Set<String> everSelected = new HashSet<>();
            for (int r = 1; r <= 5; r++) {
                List<String> selected = coordinator.selected();
                assertEquals(ParticipantSampler.select(spec, r), selected, "the sample is reproducible from the seed");
                assertEquals(100, selected.size());
                everSelected.addAll(selected);
                // A device that is not sampled is told to wait.
                String outsider = devices.stream().filter(d -> !selected.contains(d)).findFirst().orElseThrow();
                FederationClient idle = new FederationClient(FederationClient.Config.of(server.baseUri(), job, outsider,
                        Fx.token(outsider)).withLongPoll(Duration.ZERO), shared);
                assertInstanceOf(TaskAnswer.Waiting.class, idle.pollTask(r - 1));
                int round = r;
                List<Future<?>> work = new ArrayList<>();
                for (String d : selected) {
                    work.add(pool.submit(() -> {
                        FederationClient c = new FederationClient(FederationClient.Config.of(server.baseUri(), job, d,
                                Fx.token(d)).withLongPoll(Duration.ofSeconds(5)), shared);
                        RoundTask t = ((TaskAnswer.Work) c.pollTask(round - 1)).task();
                        assertEquals(round, t.round());
                        AdapterState g = c.fetchAdapter(t);
                        c.upload(t, Fx.pseudoUpdate(g, t.trainable(), d, round), Fx.info(d, round));
                        return null;
                    }));
                }
                for (Future<?> f : work) {
                    f.get(60, TimeUnit.SECONDS);
                }
                Map<String, Double> w = new LinkedHashMap<>();
                selected.forEach(d -> w.put(d, 1.0));
                expected = Fx.expectedRound(expected, expected.names(), w, r);
                int next = r + 1;
                FederationHttpTest.await(() -> coordinator.status().completedRounds() >= next - 1
                        && (coordinator.status().round() == next || coordinator.status().phase().finished()), "round " + next);
            }
            assertEquals(JobPhase.SUCCEEDED, coordinator.status().phase());
            double diff = Fx.maxAbsDiff(expected, coordinator.global());
            assertTrue(diff < 1e-6, "final global differs from the independent average by " + diff);
            List<RoundRecord> h = coordinator.history();
            assertEquals(5, h.size());
            h.forEach(rec -> assertEquals(100, rec.participants().size()));
            assertTrue(everSelected.size() > 450, "different devices each round: " + everSelected.size());
        } finally {
            pool.shutdownNow();
            coordinator.close();
        }
    }
}
