package io.fedtt.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedtt.cli.FedttCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every simulate example runs as written, shortened with the override flags (one round, two local
 * steps, a small held-out sample), on the real MiniLM through the real protocol: what a newcomer's
 * first command does, minus the minutes.
 */
class ExamplesSimulateTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    static Stream<String> examples() {
        return Stream.of("quickstart.yaml", "compare.yaml", "fedtt-plus.yaml", "cross-device.yaml",
                "own-data/tickets.yaml", "differential-privacy.yaml", "secure-aggregation.yaml");
    }

    @ParameterizedTest
    @MethodSource("examples")
    void runsShortened(String example, @TempDir Path out) throws Exception {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Path cache = REPO.resolve("worker/target/model-cache");
        int exit = FedttCommand.commandLine(Map.of(), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8)).execute("simulate",
                REPO.resolve("examples").resolve(example).toString(), "--out", out.toString(),
                "--data-dir", REPO.toString(), "--cache-dir", cache.toString(), "--threads", "1",
                "--rounds", "1", "--local-steps", "2", "--eval-examples", "16");
        String log = stdout.toString(StandardCharsets.UTF_8) + stderr.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, log);
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        List<JsonNode> runs = results.has("runs") ? iterable(results.get("runs")) : List.of(results);
        assertEquals(example.equals("compare.yaml") ? 3 : 1, runs.size());
        for (JsonNode run : runs) {
            JsonNode fin = run.get("final");
            assertTrue(fin.get("bytesUp").asLong() > 0 && fin.get("bytesDown").asLong() > 0, log);
            double acc = fin.get("accuracy").asDouble();
            assertTrue(acc >= 0 && acc <= 1, log);
        }
        assertTrue(Files.size(out.resolve("report.html")) > 1000);
        if (example.equals("secure-aggregation.yaml")) {
            assertEquals(2, runs.get(0).get("training").get("secureAggregation").get("threshold").asInt(), log);
            // masked updates are 64-bit fixed point: about twice the float32 upload of the quick start
            assertTrue(log.contains("secure aggregation: threshold 2 of 3"), log);
        }
        if (example.equals("differential-privacy.yaml")) {
            // one round of central DP, q = 1, noise multiplier 1, delta 1e-5: the accountant's epsilon
            JsonNode privacy = runs.get(0).get("final").get("privacy");
            double oneRound = io.fedtt.core.privacy.RdpAccountant.epsilon(1, 1, 1, 1e-5);
            assertEquals(oneRound, privacy.get("epsilon").asDouble(), 1e-9, log);
            assertEquals("central", privacy.get("mode").asText());
            JsonNode rounds = runs.get(0).get("rounds");
            assertEquals(oneRound, rounds.get(rounds.size() - 1).get("epsilon").asDouble(), 1e-9);
            assertTrue(log.contains("epsilon") && log.contains("differential privacy: central"), log);
        }
    }

    /**
     * The quickstart with each spec.communication.encoding (two rounds of one step, so that the second
     * round's download, upload and error feedback run too): it completes, results.json says which
     * encoding ran, and the bytes on the wire shrink with the encoding.
     */
    @Test
    void everyEncodingRunsAndSaysSo(@TempDir Path out) throws Exception {
        Map<String, Long> up = new java.util.LinkedHashMap<>();
        for (String encoding : List.of("float32", "float16", "bfloat16", "int8")) {
            Path dir = out.resolve(encoding);
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            int exit = FedttCommand.commandLine(Map.of(), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                    new PrintStream(stdout, true, StandardCharsets.UTF_8)).execute("simulate",
                    REPO.resolve("examples/quickstart.yaml").toString(), "--out", dir.toString(),
                    "--data-dir", REPO.toString(), "--cache-dir", REPO.resolve("worker/target/model-cache").toString(),
                    "--threads", "1", "--rounds", "2", "--local-steps", "1", "--eval-examples", "8",
                    "--encoding", encoding);
            String log = stdout.toString(StandardCharsets.UTF_8);
            assertEquals(0, exit, log);
            assertTrue(log.contains("encoding " + encoding), log);
            JsonNode run = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
            run = run.has("runs") ? run.get("runs").get(0) : run;
            assertEquals(encoding, run.get("training").get("encoding").asText());
            up.put(encoding, run.get("final").get("bytesUp").asLong());
            assertTrue(Double.isFinite(run.get("final").get("accuracy").asDouble()), log);
        }
        assertTrue(up.get("float16") < 0.55 * up.get("float32") && up.get("int8") < 0.35 * up.get("float32"),
                "bytes up by encoding: " + up);
        // both 16-bit encodings send 2 bytes a value; the reported eval metrics' digits may differ
        assertTrue(Math.abs(up.get("float16") - up.get("bfloat16")) < 300, "bytes up by encoding: " + up);
    }

    /**
     * examples/llama-instruct.yaml on the real SmolLM2-135M-Instruct (tools/models/smollm2/fetch.sh, run by
     * CI's install-tools), one round of one local step per silo: the held-out response loss must fall.
     */
    @Test
    void llamaInstructLearnsInOneStep(@TempDir Path out) throws Exception {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "fedtt");
        boolean present = Files.isRegularFile(cache.resolve("models/smollm2-135m-instruct/fedtt-model.json"));
        if (System.getenv("CI") != null) {
            assertTrue(present, "SmolLM2 is not prepared in " + cache + ": run tools/models/smollm2/fetch.sh");
        }
        Assumptions.assumeTrue(present, "SmolLM2 not prepared (tools/models/smollm2/fetch.sh)");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int exit = FedttCommand.commandLine(Map.of(), new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stdout, true, StandardCharsets.UTF_8)).execute("simulate",
                REPO.resolve("examples/llama-instruct.yaml").toString(), "--out", out.toString(),
                "--data-dir", REPO.toString(), "--cache-dir", cache.toString(), "--threads", "2",
                "--rounds", "1", "--local-steps", "1", "--eval-examples", "4");
        String log = stdout.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, log);
        JsonNode rounds = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("rounds");
        double before = rounds.get(0).get("loss").asDouble();
        double after = rounds.get(rounds.size() - 1).get("loss").asDouble();
        assertTrue(after < before, "held-out response loss " + before + " -> " + after + "\n" + log);
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> out = new java.util.ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
