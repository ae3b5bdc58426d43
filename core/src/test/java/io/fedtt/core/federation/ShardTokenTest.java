package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.data.DeviceShards;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.client.FederationHttpException;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.tensor.AdapterState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A cross-device worker shard's one token acts for exactly the devices its shard owns. */
class ShardTokenTest {

    private static final JobId JOB = new JobId("devices", "shards");

    @Test
    void shardsSplitTheDevicesByIndexModuloShards() {
        assertEquals(List.of("device-00000", "device-00002", "device-00004"), DeviceShards.devices(0, 2, 5));
        assertEquals(List.of("device-00001", "device-00003"), DeviceShards.devices(1, 2, 5));
        assertTrue(DeviceShards.owns(1, 3, 7));
        assertFalse(DeviceShards.owns(0, 3, 7));
        assertThrows(IllegalArgumentException.class, () -> DeviceShards.devices(2, 2, 5));
    }

    @Test
    void registryRefusesTwoHoldersForOneParticipant() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenRegistry.of(
                Map.of("worker-0", Fx.token("worker-0"), "worker-1", Fx.token("worker-1")),
                Map.of("worker-0", List.of("device-00000"), "worker-1", List.of("device-00000"))));
        assertTrue(e.getMessage().contains("'device-00000'"), e.getMessage());
    }

    @Test
    @Timeout(60)
    void shardTokenActsForItsDevicesOnlyOverHttp(@TempDir Path dir) throws Exception {
        List<String> devices = List.of("device-00000", "device-00001", "device-00002", "device-00003");
        FederationJobSpec spec = FederationJobSpec.builder(JOB, Fx.smallAdapter())
                .participants(devices.stream().map(Participant::of).toList())
                .sampling(Sampling.count(4)).minParticipants(4).rounds(1).seed(3)
                .roundTimeout(Duration.ofMinutes(1)).build();
        RoundCoordinator coordinator = RoundCoordinator.open(spec, new FileRoundStore(dir), CoordinatorOptions.defaults());
        Map<String, String> tokens = Map.of("worker-0", Fx.token("worker-0"), "worker-1", Fx.token("worker-1"));
        TokenRegistry registry = TokenRegistry.of(tokens, Map.of(
                "worker-0", DeviceShards.devices(0, 2, 4), "worker-1", DeviceShards.devices(1, 2, 4)));
        try (FederationServer server = FederationServer.start(ServerConfig.loopback())) {
            server.host(coordinator, registry);
            for (String d : devices) {
                String shard = "worker-" + (Integer.parseInt(d.substring(7)) % 2);
                String other = shard.equals("worker-0") ? "worker-1" : "worker-0";
                FederationClient own = client(server, d, tokens.get(shard));
                RoundTask t = ((TaskAnswer.Work) own.pollTask(0)).task();
                FederationClient foreign = client(server, d, tokens.get(other));
                FederationHttpException e = assertThrows(FederationHttpException.class, () -> foreign.pollTask(0));
                assertEquals(403, e.status());
                assertTrue(e.getMessage().contains("'" + other + "' cannot act for '" + d + "'"), e.getMessage());
                AdapterState g = own.fetchAdapter(t);
                assertThrows(FederationHttpException.class,
                        () -> foreign.upload(t, Fx.pseudoUpdate(g, t.trainable(), d, 1), Fx.info(d, 1)));
                own.upload(t, Fx.pseudoUpdate(g, t.trainable(), d, 1), Fx.info(d, 1));
            }
            FederationClient waiter = new FederationClient(FederationClient.Config.of(server.baseUri(), JOB,
                    "device-00001", tokens.get("worker-1")).withLongPoll(Duration.ofSeconds(10)));
            assertInstanceOf(TaskAnswer.Done.class, waiter.pollTask(1));
            assertEquals(1, coordinator.history().size());
        } finally {
            coordinator.close();
        }
    }

    private static FederationClient client(FederationServer server, String device, String token) {
        return new FederationClient(FederationClient.Config.of(server.baseUri(), JOB, device, token)
                .withLongPoll(Duration.ZERO));
    }
}
