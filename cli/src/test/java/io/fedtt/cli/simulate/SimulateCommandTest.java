package io.fedtt.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.Example;
import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The simulate command's orchestration over the real coordinator, HTTP server and clients, with a
 * cheap learner standing in for DJL (the real one is exercised by the worker's own tests and the
 * quickstart benchmark).
 */
class SimulateCommandTest {

    private static final Path MANIFESTS = Path.of("src/test/resources/simulate");
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    /** "Training" nudges every trainable tensor by the silo's spam share; accuracy grows with the head bias. */
    static final class FakeLearner implements Learner {
        final AtomicInteger trainedRounds = new AtomicInteger();

        @Override
        public ModelConfig modelConfig() {
            return ModelConfig.allMiniLmL6V2(2);
        }

        @Override
        public ClientLoop.Trainer trainerFor(String client, Dataset train, Dataset eval, StepListener steps) {
            double spamShare = (double) train.labelCounts()[1] / train.size();
            return (task, global) -> {
                Map<String, Tensor> out = new HashMap<>();
                for (String name : task.trainable()) {
                    Tensor t = global.get(name);
                    float[] v = t.data().clone();
                    for (int i = 0; i < v.length; i++) {
                        v[i] += (float) (0.01 * spamShare);
                    }
                    out.put(name, new Tensor(t.shape(), v));
                }
                for (int s = 1; s <= task.localSteps(); s++) {
                    steps.step(client, task.round(), s, task.localSteps());
                }
                trainedRounds.incrementAndGet();
                return new ClientLoop.LocalResult(new AdapterState(out), train.size(), task.localSteps(), EvalMetrics.NONE);
            };
        }

        @Override
        public ClassificationMetrics.Result evaluate(AdapterState adapter, Dataset eval) {
            float bias = adapter.get("classifier.out_proj.bias").data()[0];
            ClassificationMetrics m = new ClassificationMetrics(2);
            int correctUpTo = (int) Math.round(eval.size() * Math.min(1.0, 0.6 + 10 * bias));
            for (int i = 0; i < eval.size(); i++) {
                Example e = eval.examples().get(i);
                m.add(e.label(), i < correctUpTo ? e.label() : 1 - e.label(), 0.5);
            }
            return m.result();
        }
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(FakeLearner learner, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(new SimulateCommand((threads, cache) -> spec -> learner, o, e)).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aCrossSiloRunWritesTheAdapterResultsAndReport(@TempDir Path dir) throws Exception {
        FakeLearner learner = new FakeLearner();
        Run r = run(learner, MANIFESTS.resolve("three-silos.yaml").toString(), "--out", dir.toString(),
                "--data-dir", REPO.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(6, learner.trainedRounds.get(), "3 silos x 2 rounds trained over the protocol");

        JsonNode results = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertEquals("succeeded", results.get("status").asText());
        assertEquals("FedTT", results.get("method").asText());
        assertEquals(3, results.get("rounds").size(), "round 0 (the starting adapter) and rounds 1-2");
        JsonNode round1 = results.get("rounds").get(1);
        assertEquals(3, round1.get("participants").asInt());
        assertTrue(round1.get("bytesUp").asLong() > 0 && round1.get("bytesDown").asLong() > 0);
        JsonNode fin = results.get("final");
        assertTrue(fin.get("accuracy").asDouble() > results.get("rounds").get(0).get("accuracy").asDouble());
        assertTrue(fin.get("reductionVsLora").asDouble() > 1, "TT adapters send fewer bytes than LoRA would");
        long perRound = results.get("rounds").get(1).get("bytesUp").asLong();
        assertTrue(fin.get("bytesUp").asLong() >= 2 * perRound - 1);

        AdapterState adapter = SafetensorsCodec.decode(Files.readAllBytes(dir.resolve("adapter.safetensors")));
        assertEquals(fin.get("trainableParameters").asLong(), adapter.parameterCount());
        assertEquals("builtin:all-minilm-l6-v2", adapter.metadata().get("fedtt.model.uri"));
        assertEquals("[\"ham\",\"spam\"]", adapter.metadata().get("fedtt.labels"));
        assertTrue(Files.readString(dir.resolve("report.html")).contains("<svg"));
        assertTrue(r.out().contains("held-out accuracy"), r.out());
    }

    /**
     * The same job with secure aggregation: the silos mask their updates over real HTTP and the
     * coordinator unmasks only the sum, which gives the plain run's adapter to within fixed-point error.
     */
    @Test
    void secureAggregationGivesThePlainRunsAdapter(@TempDir Path dir) throws Exception {
        String plainManifest = MANIFESTS.resolve("three-silos.yaml").toString();
        Path secureManifest = dir.resolve("secure.yaml");
        Files.writeString(secureManifest, Files.readString(Path.of(plainManifest)).replace(
                "  method: {algorithm: FedTT}\n",
                "  method: {algorithm: FedTT}\n  privacy: {secureAggregation: {threshold: 2}}\n"));
        Run plain = run(new FakeLearner(), plainManifest, "--out", dir.resolve("plain").toString(),
                "--data-dir", REPO.toString());
        Run secure = run(new FakeLearner(), secureManifest.toString(), "--out", dir.resolve("secure").toString(),
                "--data-dir", REPO.toString());
        assertEquals(0, plain.exit(), plain.err());
        assertEquals(0, secure.exit(), secure.err());
        assertTrue(secure.out().contains("secure aggregation: threshold 2 of 3 per round"), secure.out());

        JsonNode results = new ObjectMapper().readTree(dir.resolve("secure/results.json").toFile());
        assertEquals(2, results.get("training").get("secureAggregation").get("threshold").asInt());
        assertEquals(3, results.get("rounds").get(2).get("participants").asInt());
        AdapterState a = SafetensorsCodec.decode(Files.readAllBytes(dir.resolve("plain/adapter.safetensors")));
        AdapterState b = SafetensorsCodec.decode(Files.readAllBytes(dir.resolve("secure/adapter.safetensors")));
        assertEquals(a.names(), b.names());
        double worst = 0;
        for (String n : a.names()) {
            float[] x = a.get(n).data();
            float[] y = b.get(n).data();
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
        }
        assertTrue(worst < 1e-5, "the securely aggregated adapter differs from the plain one by " + worst);
    }

    /** Woken devices run the secure-aggregation protocol with the others sampled in their round. */
    @Test
    void sampledDevicesAggregateSecurely(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("secure-devices.yaml");
        Files.writeString(manifest, Files.readString(MANIFESTS.resolve("large-population.yaml")).replace(
                "  method: {algorithm: FedTT}\n",
                "  method: {algorithm: FedTT}\n  privacy: {secureAggregation: {}}\n"));
        FakeLearner learner = new FakeLearner();
        Run r = run(learner, manifest.toString(), "--out", dir.resolve("out").toString(), "--data-dir", REPO.toString(),
                "--eval-examples", "16");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("secure aggregation: threshold 4 of 5 per round"), r.out());
        JsonNode rounds = new ObjectMapper().readTree(dir.resolve("out/results.json").toFile()).get("rounds");
        assertEquals(3, rounds.get(rounds.size() - 1).get("round").asInt(), "three secure rounds");
        for (JsonNode round : rounds) {
            if (round.get("round").asInt() > 0) {
                assertEquals(5, round.get("participants").asInt(), "round " + round.get("round"));
            }
        }
        assertEquals(15, learner.trainedRounds.get(), "5 sampled devices x 3 rounds");
    }

    @Test
    void aLargePopulationKeepsOnlyTheSelectedDevicesAwake(@TempDir Path dir) throws Exception {
        FakeLearner learner = new FakeLearner();
        AtomicInteger peakDeviceThreads = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                int n = (int) Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.isAlive() && (t.getName().equals("device") || t.getName().equals("silo"))).count();
                peakDeviceThreads.accumulateAndGet(n, Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        Run r;
        try {
            r = run(learner, MANIFESTS.resolve("large-population.yaml").toString(), "--out", dir.toString(),
                    "--data-dir", REPO.toString(), "--eval-examples", "16");
        } finally {
            running.set(false);
            sampler.join();
        }
        assertEquals(0, r.exit(), r.err());
        assertEquals(15, learner.trainedRounds.get(), "5 selected devices x 3 rounds trained over the protocol");
        JsonNode results = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        JsonNode rounds = results.get("rounds");
        assertEquals(5, rounds.get(rounds.size() - 1).get("participants").asInt());
        // participant threads: one per device (and a connection each) would be 2,000; a round's devices plus the
        // waking task fit in 6, with room for a round's devices that are still finishing as the next one opens
        assertTrue(peakDeviceThreads.get() <= 12, "device threads at once: " + peakDeviceThreads.get());
    }

    @Test
    void compareRunsEachMethodOnTheSameDataAndSchedule(@TempDir Path dir) throws Exception {
        Run r = run(new FakeLearner(), MANIFESTS.resolve("three-silos.yaml").toString(), "--out", dir.toString(),
                "--data-dir", REPO.toString(), "--compare", "fedtt,lora", "--rounds", "1");
        assertEquals(0, r.exit(), r.err());
        JsonNode runs = new ObjectMapper().readTree(dir.resolve("results.json").toFile()).get("runs");
        assertEquals(2, runs.size());
        assertEquals("LoRA", runs.get(1).get("method").asText());
        long tt = runs.get(0).get("final").get("bytesUp").asLong();
        long lora = runs.get(1).get("final").get("bytesUp").asLong();
        assertTrue(lora > 2 * tt, "LoRA (r=8 on q,v + dense head) uploads far more than TT: " + lora + " vs " + tt);
        assertTrue(Files.exists(dir.resolve("lora/adapter.safetensors")));
    }

    @Test
    void anInvalidManifestExitsWithCode2AndNamesTheField(@TempDir Path dir) {
        Run r = run(new FakeLearner(), MANIFESTS.resolve("bad-min-silos.yaml").toString(), "--out", dir.toString(),
                "--data-dir", REPO.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("spec.rounds.minSilos"), r.err());
    }

    @Test
    void aBadOverrideIsAnInputError(@TempDir Path dir) {
        Run r = run(new FakeLearner(), MANIFESTS.resolve("three-silos.yaml").toString(), "--out", dir.toString(),
                "--data-dir", REPO.toString(), "--method", "sgd");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown method 'sgd'"), r.err());
    }

    @Test
    void learningRateAndSeedOverrideTheManifestForEveryComparedMethod(@TempDir Path dir) {
        FakeLearner learner = new FakeLearner();
        List<io.fedtt.api.v1alpha1.FederatedFineTuneSpec> opened = new ArrayList<>();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        int exit = new CommandLine(new SimulateCommand((threads, cache) -> spec -> {
            opened.add(spec);
            return learner;
        }, quiet, new PrintStream(err, true, StandardCharsets.UTF_8))).execute(
                MANIFESTS.resolve("three-silos.yaml").toString(), "--out", dir.toString(),
                "--data-dir", REPO.toString(), "--compare", "fedtt,lora", "--rounds", "1",
                "--learning-rate", "2.5e-3", "--seed", "42", "--logit-adjustment", "0.5");
        assertEquals(0, exit, err.toString(StandardCharsets.UTF_8));
        assertEquals(2, opened.size());
        for (var spec : opened) { // the manifest says 5.0e-4 and seed 7, and no logit adjustment
            assertEquals(2.5e-3, spec.getRounds().getLearningRate());
            assertEquals(42L, spec.getRounds().getSeed());
            assertEquals(0.5, spec.getMethod().getLogitAdjustment());
        }
    }

    @Test
    void withoutTheFlagsTheManifestsLearningRateAndSeedStay(@TempDir Path dir) {
        List<io.fedtt.api.v1alpha1.FederatedFineTuneSpec> opened = new ArrayList<>();
        FakeLearner learner = new FakeLearner();
        int exit = new CommandLine(new SimulateCommand((threads, cache) -> spec -> {
            opened.add(spec);
            return learner;
        }, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))).execute(
                MANIFESTS.resolve("three-silos.yaml").toString(), "--out", dir.toString(),
                "--data-dir", REPO.toString(), "--rounds", "1");
        assertEquals(0, exit);
        assertEquals(5.0e-4, opened.get(0).getRounds().getLearningRate());
        assertEquals(7L, opened.get(0).getRounds().getSeed());
    }

    @Test
    void aBadLearningRateOrSeedIsAnInputErrorThatSaysWhy(@TempDir Path dir) {
        String manifest = MANIFESTS.resolve("three-silos.yaml").toString();
        for (String[] bad : new String[][] {{"--learning-rate", "0"}, {"--learning-rate", "-1e-3"},
                {"--learning-rate", "1.5"}, {"--learning-rate", "NaN"}}) {
            Run r = run(new FakeLearner(), manifest, "--out", dir.toString(), "--data-dir", REPO.toString(), bad[0], bad[1]);
            assertEquals(2, r.exit(), String.join(" ", bad));
            assertTrue(r.err().contains("--learning-rate must be greater than 0 and at most 1, got"), r.err());
        }
        for (String tau : new String[] {"-0.5", "11", "NaN"}) {
            Run r = run(new FakeLearner(), manifest, "--out", dir.toString(), "--data-dir", REPO.toString(),
                    "--logit-adjustment", tau);
            assertEquals(2, r.exit(), tau);
            assertTrue(r.err().contains("--logit-adjustment must be between 0 and 10, got"), r.err());
        }
        Run seed = run(new FakeLearner(), manifest, "--out", dir.toString(), "--data-dir", REPO.toString(), "--seed", "-3");
        assertEquals(2, seed.exit());
        assertTrue(seed.err().contains("--seed must be at least 0, got -3"), seed.err());
        java.io.StringWriter usage = new java.io.StringWriter(); // picocli's own usage error, on its err writer
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        int exit = new CommandLine(new SimulateCommand((threads, cache) -> spec -> new FakeLearner(), quiet, quiet))
                .setErr(new java.io.PrintWriter(usage, true))
                .execute(manifest, "--out", dir.toString(), "--data-dir", REPO.toString(), "--learning-rate", "fast");
        assertEquals(2, exit, usage.toString());
        assertTrue(usage.toString().contains("--learning-rate") && usage.toString().contains("fast"), usage.toString());
    }

    @Test
    void aRunNeverDeletesWhatItDidNotCreate(@TempDir Path dir) throws Exception {
        Path notes = dir.resolve("state/notes/important.txt");
        Files.createDirectories(notes.getParent());
        Files.writeString(notes, "keep me");
        Path other = dir.resolve("my-project.txt");
        Files.writeString(other, "mine");
        Run r = run(new FakeLearner(), MANIFESTS.resolve("three-silos.yaml").toString(), "--out", dir.toString(),
                "--data-dir", REPO.toString(), "--rounds", "1");
        assertEquals(0, r.exit(), r.err());
        assertEquals("keep me", Files.readString(notes), "the user's DIR/state survives the run");
        assertEquals("mine", Files.readString(other));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith(".fedtt-run")),
                    "the run's own state folder is removed at the end");
        }
    }

    @Test
    void aFileAsOutIsAnInputErrorWithoutATrace(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("results");
        Files.writeString(file, "not a folder");
        Run r = run(new FakeLearner(), MANIFESTS.resolve("three-silos.yaml").toString(), "--out", file.toString(),
                "--data-dir", REPO.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--out " + file) && r.err().contains("not a folder"), r.err());
        assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), r.err());
        assertEquals("not a folder", Files.readString(file));
    }

    @Test
    void moreDevicesThanTrainingExamplesIsRefusedUpFrontNamingTheCount(@TempDir Path dir) {
        FakeLearner learner = new FakeLearner();
        Run r = run(learner, MANIFESTS.resolve("too-many-devices.yaml").toString(), "--out", dir.toString(),
                "--data-dir", REPO.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("spec.devices.count is 5,000") && r.err().contains("site-a.jsonl.gz")
                && r.err().contains("set spec.devices.count to at most"), r.err());
        assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), r.err());
        assertEquals(0, learner.trainedRounds.get(), "no device trained");
    }

    @Test
    void aManifestWithoutSpecIsAnInputError(@TempDir Path dir) {
        Run r = run(new FakeLearner(), MANIFESTS.resolve("no-spec.yaml").toString(), "--out", dir.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("spec: required field is missing"), r.err());
        assertTrue(!r.err().contains("Exception"), r.err());
    }

    @Test
    void anUnknownBuiltinModelIsAnInputErrorBeforeAnyDataOrModelIsLoaded(@TempDir Path dir) {
        AtomicInteger opened = new AtomicInteger();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(new SimulateCommand((threads, cache) -> spec -> {
            opened.incrementAndGet();
            throw new IllegalArgumentException("unknown built-in model 'gpt-17'");
        }, new PrintStream(new ByteArrayOutputStream()), e)).execute(MANIFESTS.resolve("unknown-model.yaml").toString(),
                "--out", dir.toString(), "--data-dir", REPO.toString());
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, stderr);
        assertTrue(stderr.contains("spec.model.uri") && stderr.contains("builtin:gpt-17"), stderr);
        assertEquals(0, opened.get(), "no model is opened");
        assertTrue(!stderr.contains("Exception"), stderr);
    }

    @Test
    void theAdapterMetadataIsJsonALabelWithACommaStaysOneLabel(@TempDir Path dir) throws Exception {
        Run r = run(new FakeLearner(), MANIFESTS.resolve("comma-label.yaml").toString(), "--out", dir.toString(),
                "--data-dir", REPO.toString());
        assertEquals(0, r.exit(), r.err());
        Map<String, String> meta = SafetensorsCodec.decode(Files.readAllBytes(dir.resolve("adapter.safetensors"))).metadata();
        ObjectMapper json = new ObjectMapper();
        JsonNode labels = json.readTree(meta.get("fedtt.labels"));
        assertEquals(2, labels.size(), meta.get("fedtt.labels"));
        assertEquals("billing,refunds", labels.get(0).asText());
        assertEquals("technical", labels.get(1).asText());

        JsonNode adapter = json.readTree(meta.get("fedtt.adapter"));
        assertEquals("tt", adapter.get("type").asText());
        assertEquals(5, adapter.get("ttRank").asInt());
        assertEquals(64, adapter.get("bottleneck").asInt());
        java.util.List<String> fields = new java.util.ArrayList<>();
        adapter.fieldNames().forEachRemaining(fields::add);
        assertTrue(fields.stream().noneMatch(f -> f.toLowerCase(java.util.Locale.ROOT).contains("lora")
                || f.equals("rank") || f.equals("alpha") || f.equals("targets")), "only TT fields: " + fields);
    }
}
