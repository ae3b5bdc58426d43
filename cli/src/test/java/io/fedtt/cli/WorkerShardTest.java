package io.fedtt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.DeviceShards;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.worker.cli.WorkerCommand;
import io.fedtt.worker.engine.EngineSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Cross-device {@code fedtt worker --shard K --shards N}, as the operator runs it: two worker
 * processes (here, two commands on threads) each host their share of five virtual devices over one
 * loaded MiniLM, with a shard token that acts for exactly those devices.
 */
class WorkerShardTest {

    static final int DEVICES = 5;
    static final int SHARDS = 2;

    @TempDir
    static Path dir;
    static JobId job = new JobId("e2e", "devices");
    static String manifestText;
    static Path manifest;
    static RoundCoordinator coordinator;
    static final JobId STOP_JOB = new JobId("e2e", "devices-stop");
    static RoundCoordinator stopCoordinator;
    static FederationServer server;
    static final Map<Integer, Path> tokenFiles = new LinkedHashMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        EngineSettings.fromEnvironment(System.getenv()).start();
        MiniLmCache.ensure();
        WorkerJobFixture.writeData(dir);
        Files.writeString(dir.resolve("devices.jsonl"),
                Files.readString(dir.resolve("silo-a.jsonl")) + Files.readString(dir.resolve("silo-b.jsonl")));
        manifestText = """
                apiVersion: fedtt.io/v1alpha1
                kind: FederatedFineTune
                metadata: {name: devices, namespace: e2e}
                spec:
                  model: {uri: "builtin:all-minilm-l6-v2", task: sequence-classification, labels: [ham, spam], maxSequenceLength: 32}
                  adapter: {type: tt, ttRank: 5, bottleneck: 64}
                  method: {algorithm: FedTT}
                  rounds: {total: 2, localSteps: 1, batchSize: 2, learningRate: 1.0e-3, minSilos: 3, roundTimeoutSeconds: 300, seed: 3}
                  data: {textField: text, labelField: label}
                  devices:
                    count: %d
                    perRound: 3
                    workers: %d
                    partition: {by: iid}
                    data: {train: "file:devices.jsonl"}
                """.formatted(DEVICES, SHARDS);
        manifest = dir.resolve("devices.yaml");
        Files.writeString(manifest, manifestText);
        FederatedFineTune resource = ManifestValidator.standard().load(manifestText);
        coordinator = RoundCoordinator.open(FederationJobMapper.jobSpec(job, resource.getSpec(),
                ModelConfig.allMiniLmL6V2(2)), new MemoryRoundStore(), CoordinatorOptions.defaults());
        Map<String, String> tokens = new LinkedHashMap<>();
        Map<String, List<String>> actsFor = new LinkedHashMap<>();
        for (int k = 0; k < SHARDS; k++) {
            String holder = "shard-" + k;
            String token = "token-of-" + holder + "-0123456789abcdef";
            tokens.put(holder, token);
            actsFor.put(holder, DeviceShards.devices(k, SHARDS, DEVICES));
            Path f = dir.resolve(holder + ".token");
            Files.writeString(f, token + "\n");
            tokenFiles.put(k, f);
        }
        server = FederationServer.start(ServerConfig.loopback());
        server.host(coordinator, TokenRegistry.of(tokens, actsFor));
        // A second job that shard 1 never joins: shard 0's devices upload, then wait for a round that
        // cannot close (or train the next one) until they are stopped.
        FederatedFineTune stopJob = ManifestValidator.standard().load(manifestText.replace("name: devices,",
                "name: devices-stop,").replace("total: 2", "total: 5"));
        stopCoordinator = RoundCoordinator.open(FederationJobMapper.jobSpec(STOP_JOB, stopJob.getSpec(),
                ModelConfig.allMiniLmL6V2(2)), new MemoryRoundStore(), CoordinatorOptions.defaults());
        server.host(stopCoordinator, TokenRegistry.of(tokens, actsFor));
    }

    @AfterAll
    static void tearDown() {
        if (server != null) {
            server.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        if (stopCoordinator != null) {
            stopCoordinator.close();
        }
    }

    static List<String> args(int shard, String... extra) {
        List<String> a = new ArrayList<>(List.of("worker", "--endpoint", server.baseUri().toString(), "--job",
                job.toString(), "--silo", "shard-" + shard, "--shard", Integer.toString(shard), "--shards",
                Integer.toString(SHARDS), "--token-file", tokenFiles.get(shard).toString(), "--manifest",
                manifest.toString(), "--data-dir", dir.toString(), "--cache-dir",
                MiniLmCache.DIR.toAbsolutePath().toString(), "--retries", "3"));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    @Timeout(240)
    void twoShardsRunTheirDevicesThroughTheJob() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(SHARDS);
        try {
            List<Future<WorkerCommandTest.Run>> runs = new ArrayList<>();
            for (int k = 0; k < SHARDS; k++) {
                int shard = k;
                runs.add(pool.submit(() -> WorkerCommandTest.run(Map.of(), args(shard))));
            }
            for (int k = 0; k < SHARDS; k++) {
                WorkerCommandTest.Run r = runs.get(k).get(230, TimeUnit.SECONDS);
                System.out.println(r.out() + r.err());
                assertEquals(0, r.code(), r.err());
                int owned = DeviceShards.devices(k, SHARDS, DEVICES).size();
                assertTrue(r.out().contains("shard " + k + " of 2: " + owned + " of 5 devices"), r.out());
                assertTrue(r.out().contains("job e2e/devices is over: SUCCEEDED"), r.out());
                assertTrue(r.out().contains("this shard's " + owned + " devices trained"), r.out());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(JobPhase.SUCCEEDED, coordinator.status().phase());
        List<RoundRecord> history = coordinator.history();
        assertEquals(2, history.size());
        List<String> all = new ArrayList<>(DeviceShards.devices(0, SHARDS, DEVICES));
        all.addAll(DeviceShards.devices(1, SHARDS, DEVICES));
        for (RoundRecord r : history) {
            assertTrue(r.completed(), "round " + r.round());
            assertEquals(3, r.participants().size(), "round " + r.round() + ": " + r.participants());
            assertTrue(all.containsAll(r.participants()), r.participants().toString());
            assertTrue(r.examples() > 0);
        }
    }

    @Test
    void shardFlagsAreCheckedAgainstTheJob() throws Exception {
        WorkerCommandTest.Run half = WorkerCommandTest.run(Map.of(), args(0).stream()
                .filter(a -> !a.equals("--shards") && !a.equals(Integer.toString(SHARDS))).toList());
        assertEquals(2, half.code());
        assertTrue(half.err().contains("--shard and --shards go together"), half.err());

        List<String> three = args(0);
        three.set(three.indexOf("--shards") + 1, "3");
        WorkerCommandTest.Run mismatch = WorkerCommandTest.run(Map.of(), three);
        assertEquals(2, mismatch.code());
        assertTrue(mismatch.err().contains("does not match spec.devices.workers 2"), mismatch.err());

        Path silos = dir.resolve("silos.yaml");
        Files.writeString(silos, manifestText.substring(0, manifestText.indexOf("  devices:")).replace("minSilos: 3", "minSilos: 1")
                + "  silos:\n  - name: shard-0\n    data: {train: \"file:devices.jsonl\"}\n");
        List<String> crossSilo = args(0);
        crossSilo.set(crossSilo.indexOf("--manifest") + 1, silos.toString());
        WorkerCommandTest.Run r = WorkerCommandTest.run(Map.of(), crossSilo);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("this job lists silos"), r.err());
    }

    @Test
    @Timeout(180)
    void aStopEndsEveryDeviceOfTheShard() throws Exception {
        // As SIGTERM does when the pod is deleted (suspend, cleanup): devices waiting for a task are
        // interrupted, a device training abandons its round, an upload in flight finishes.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandLine cl = FedttCommand.commandLine(Map.of(), o, e);
        WorkerCommand worker = cl.getSubcommands().get("worker").getCommand();
        List<String> a = args(0);
        a.set(a.indexOf(job.toString()), STOP_JOB.toString());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> code = pool.submit(() -> cl.execute(a.toArray(String[]::new)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            while (!out.toString(StandardCharsets.UTF_8).contains("update uploaded")) {
                assertTrue(!code.isDone() && System.nanoTime() < deadline, "a device uploads:\n" + out + err);
                Thread.sleep(50);
            }
            worker.requestStop();
            int exit = code.get(60, TimeUnit.SECONDS);
            String log = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
            System.out.println(log);
            assertEquals(WorkerCommand.EXIT_STOPPED, exit, log);
            assertTrue(log.contains("stopped (SIGTERM) while waiting"), log);
            // Every round a device finished training was uploaded, even when the stop came meanwhile.
            java.util.regex.Matcher trained = java.util.regex.Pattern
                    .compile("(device-\\d+): round (\\d+): no local eval; trained").matcher(log);
            while (trained.find()) {
                String uploaded = trained.group(1) + ": round " + trained.group(2) + ": update uploaded";
                assertTrue(log.contains(uploaded), uploaded + "\n" + log);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(stopCoordinator.status().phase() != JobPhase.SUCCEEDED);
    }
}
