package io.fedtt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.cli.WorkerCommand;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.HfModelDirectory;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.bert.BertParameterShapes;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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

/**
 * {@code fedtt worker} end to end: two silos (one reading the manifest file, one the FEDTT_JOB_DESCRIPTION
 * variable) against an in-process federation server and coordinator, two rounds on the real
 * MiniLM; and the exit code and one-line message for each kind of bad input.
 */
class WorkerCommandTest {

    @TempDir
    static Path dir;
    static WorkerJobFixture job;

    @BeforeAll
    static void setUp() throws Exception {
        EngineSettings.fromEnvironment(System.getenv()).start();
        MiniLmCache.ensure();
        job = new WorkerJobFixture(dir, "two-silos", 2, 2);
    }

    @AfterAll
    static void tearDown() {
        if (job != null) {
            job.close();
        }
    }

    record Run(int code, String out, String err) {
    }

    static Run run(Map<String, String> env, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = FedttCommand.commandLine(env, o, e).execute(args.toArray(String[]::new));
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    @Timeout(180)
    void twoSilosTrainTwoRoundsOverTheProtocol() throws Exception {
        AdapterState initial = job.coordinator.global();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Run> a = pool.submit(() -> run(Map.of(), job.args("silo-a", "--manifest", job.manifest.toString())));
            Future<Run> b = pool.submit(() -> run(Map.of("FEDTT_JOB_DESCRIPTION", job.descriptionJson("silo-b")), job.args("silo-b")));
            Run ra = a.get(170, TimeUnit.SECONDS);
            Run rb = b.get(170, TimeUnit.SECONDS);
            System.out.println(ra.out() + ra.err() + rb.out() + rb.err());
            assertEquals(0, ra.code(), ra.err());
            assertEquals(0, rb.code(), rb.err());
            assertTrue(ra.out().contains("job e2e/two-silos is over: SUCCEEDED"), ra.out());
            assertTrue(ra.out().contains("this silo trained 2 round(s)"), ra.out());
            assertTrue(ra.out().contains("global adapter on local eval: accuracy"), ra.out());
            assertTrue(rb.out().contains("no local eval"), rb.out());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(JobPhase.SUCCEEDED, job.coordinator.status().phase());
        List<RoundRecord> history = job.coordinator.history();
        assertEquals(2, history.size());
        for (RoundRecord r : history) {
            assertTrue(r.completed(), "round " + r.round());
            assertEquals(List.of("silo-a", "silo-b"), r.participants().stream().sorted().toList());
            assertEquals(18, r.examples(), "FedAvg weights are the silos' training set sizes (9 + 9)");
            assertEquals(8, r.federated().examples(), "silo-a evaluated the incoming adapter on its 8 examples");
            assertTrue(r.federated().accuracy() >= 0 && r.federated().accuracy() <= 1);
        }
        AdapterState last = job.coordinator.global();
        int changed = 0;
        for (String n : initial.names()) {
            if (!java.util.Arrays.equals(initial.get(n).data(), last.get(n).data())) {
                changed++;
            }
        }
        assertTrue(changed > initial.names().size() / 2, changed + " of " + initial.names().size() + " tensors moved");
    }

    @Test
    void aMissingTokenFileIsNamed() {
        List<String> args = job.args("silo-a", "--manifest", job.manifest.toString());
        args.set(args.indexOf("--token-file") + 1, dir.resolve("nope.token").toString());
        Run r = run(Map.of(), args);
        assertEquals(2, r.code());
        assertEquals("fedtt worker: error: token file " + dir.resolve("nope.token") + " not found", r.err().strip());
    }

    @Test
    void aWrongTokenIsRefusedBeforeTheModelLoads() throws Exception {
        Path wrong = dir.resolve("wrong.token");
        Files.writeString(wrong, "not-the-token-of-anyone-0123456789");
        List<String> args = job.args("silo-a", "--manifest", job.manifest.toString());
        args.set(args.indexOf("--token-file") + 1, wrong.toString());
        Run r = run(Map.of(), args);
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("fedtt worker: error: the endpoint refused this silo's token (HTTP 401;"), r.err());
        assertEquals(1, r.err().strip().lines().count());
        assertTrue(!r.out().contains("model "), "no model was loaded: " + r.out());
    }

    @Test
    void anotherSilosTokenIsRefused() {
        List<String> args = job.args("silo-a", "--manifest", job.manifest.toString());
        args.set(args.indexOf("--token-file") + 1, job.tokenFiles.get("silo-b").toString());
        Run r = run(Map.of(), args);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("HTTP 40"), r.err());
    }

    @Test
    void aMissingDataFileIsNamed() throws Exception {
        Path other = dir.resolve("missing-data");
        Files.createDirectories(other);
        List<String> args = job.args("silo-a", "--manifest", job.manifest.toString());
        args.set(args.indexOf("--data-dir") + 1, other.toString());
        Run r = run(Map.of(), args);
        assertEquals(2, r.code());
        assertTrue(r.err().contains(other.resolve("silo-a.jsonl").toString()) && r.err().contains("not found"), r.err());
    }

    @Test
    void aBadLineInTheDataIsNamedWithItsLineNumber() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\": \"ok\", \"label\": \"ham\"}\n{\"text\": \"hmm\", \"label\": \"eggs\"}\n");
        Run r = run(Map.of(), job.args("silo-a", "--manifest", job.manifest.toString(), "--train", "file:bad.jsonl"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.jsonl") && r.err().contains("2") && r.err().contains("eggs"), r.err());
    }

    @Test
    void anInvalidManifestListsItsProblems() throws Exception {
        Path m = dir.resolve("invalid.yaml");
        Files.writeString(m, job.manifestText.replace("batchSize: 4", "batchSize: -4"));
        Run r = run(Map.of(), job.args("silo-a", "--manifest", m.toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("invalid.yaml is not a valid FederatedFineTune") && r.err().contains("batchSize"),
                r.err());
        Run env = run(Map.of("FEDTT_JOB_DESCRIPTION", "{not json"), job.args("silo-a"));
        assertEquals(2, env.code());
        assertTrue(env.err().contains("FEDTT_JOB_DESCRIPTION: invalid job description: not valid JSON"), env.err());
    }

    @Test
    void anUnknownSiloOrNoJobDescriptionIsExplained() {
        Run r = run(Map.of(), job.args("silo-a", "--manifest", job.manifest.toString()).stream()
                .map(s -> s.equals("silo-a") ? "silo-z" : s).toList());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("silo 'silo-z' is not in the job (silos: silo-a, silo-b)"), r.err());
        Run none = run(Map.of(), job.args("silo-a"));
        assertEquals(2, none.code());
        assertTrue(none.err().contains("no job description"), none.err());
        Run usage = run(Map.of(), List.of("worker", "--threads", "two"));
        assertEquals(2, usage.code());
    }

    /** A tiny BERT in Hugging Face layout (zero weights, MiniLM's tokenizer), optionally without one tensor. */
    private static Path tinyModel(String name, BertConfig c, String missing) throws Exception {
        Path model = dir.resolve(name);
        Files.createDirectories(model);
        c.write(model.resolve(HfModelDirectory.CONFIG));
        Map<String, Tensor> weights = new LinkedHashMap<>();
        BertParameterShapes.of(c).forEach((n, s) -> weights.put(n, Tensor.zeros(s)));
        weights.remove(missing);
        Files.write(model.resolve(HfModelDirectory.WEIGHTS), SafetensorsCodec.encode(new AdapterState(weights), DType.F32));
        try (InputStream in = WorkerCommandTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(in, model.resolve(HfModelDirectory.TOKENIZER));
        }
        return model;
    }

    /** The fixture's manifest with {@code model} in place of the built-in model, declaring {@code architecture}. */
    private static Path manifestWith(Path model, String architecture) throws Exception {
        Path manifest = dir.resolve(model.getFileName() + ".yaml");
        Files.writeString(manifest, job.manifestText.replace("uri: \"builtin:all-minilm-l6-v2\"",
                "uri: \"file:" + model + "\", architecture: " + architecture));
        return manifest;
    }

    @Test
    void aModelWithAMissingTensorIsNamed() throws Exception {
        BertConfig c = new BertConfig("bert", 30522, 8, 1, 2, 16, "gelu", 0.1f, 0.1f, 64, 2, 1e-12f, 0);
        Path model = tinyModel("broken-model", c, "encoder.layer.0.attention.self.query.weight");
        Path manifest = manifestWith(model, "{hiddenSize: 8, numLayers: 1, intermediateSize: 16, numHeads: 2,"
                + " vocabSize: 30522, maxPositions: 64}");
        Run r = run(Map.of(), job.args("silo-a", "--manifest", manifest.toString()));
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("fedtt worker: error: cannot load model file:" + model), r.err());
        assertTrue(r.err().contains("encoder.layer.0.attention.self.query.weight"), r.err());
    }

    @Test
    void aModelThatIsNotTheDeclaredArchitectureIsNamed() throws Exception {
        BertConfig c = new BertConfig("bert", 30522, 8, 1, 2, 16, "gelu", 0.1f, 0.1f, 64, 2, 1e-12f, 0);
        Path model = tinyModel("hidden-8-model", c, null);
        Path manifest = manifestWith(model, "{hiddenSize: 16, numLayers: 1, intermediateSize: 16, numHeads: 2,"
                + " vocabSize: 30522, maxPositions: 64}");
        Run r = run(Map.of(), job.args("silo-a", "--manifest", manifest.toString()));
        assertEquals(2, r.code(), r.err());
        // Caught when the manifest is resolved (as the operator would), before the engine starts.
        assertTrue(r.err().startsWith("fedtt worker: error: spec.model.architecture: does not match the config.json of"
                + " file:" + model + ": hiddenSize expected 16, found 8 (hidden_size)"), r.err());

        // --model in place of the built-in model: the job's adapter is MiniLM's, so the override must be MiniLM-shaped.
        Run o = run(Map.of(), job.args("silo-a", "--manifest", job.manifest.toString(), "--model", "file:" + model));
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().startsWith("fedtt worker: error: spec.model.architecture: does not match the config.json of"
                + " file:" + model + ": hiddenSize expected 384, found 8 (hidden_size); numLayers expected 6, found 1"
                + " (num_hidden_layers)"), o.err());
    }

    @Test
    void anUnreachableEndpointFailsWithStatusOne() {
        List<String> args = new ArrayList<>(job.args("silo-a", "--manifest", job.manifest.toString()));
        args.set(args.indexOf("--endpoint") + 1, "http://127.0.0.1:1");
        args.set(args.indexOf("--retries") + 1, "1");
        Run r = run(new HashMap<>(), args);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cannot reach http://127.0.0.1:1"), r.err());
        assertNotEquals("", r.err());
    }
}
