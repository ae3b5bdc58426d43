package io.fedtt.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.SafetensorsCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code fedtt simulate} on a manifest that names a file: model and leaves spec.model.architecture out:
 * the shape comes from the model's config.json (here a tiny random LLaMA: hidden 64, 2 layers, 4 heads over
 * 2 key/value heads), as the operator would read it; a declared architecture must match it.
 */
class SimulateModelShapeTest {

    static final Path TINY = Path.of("src/test/resources/simulate/tiny-llama").toAbsolutePath();
    static final Path DATA = Path.of("src/test/resources/simulate/data").toAbsolutePath();
    static final ModelConfig TINY_LLAMA = ModelConfig.llama(64, 2, 160, 4, 2, 400, 256, false, false);

    static Path manifest(Path dir, String architecture) throws Exception {
        String yaml = """
                apiVersion: fedtt.io/v1alpha1
                kind: FederatedFineTune
                metadata: {name: tiny-llama}
                spec:
                  model:
                    uri: "file:%s"
                    task: causal-lm
                    maxSequenceLength: 32%s
                  adapter: {type: tt, ttRank: 2, bottleneck: 8}
                  rounds: {total: 1, localSteps: 2, batchSize: 4, learningRate: 1.0e-2, minSilos: 2, roundTimeoutSeconds: 600, seed: 7}
                  evaluation: {data: "file:%s/pairs-eval.jsonl"}
                  silos:
                  - name: site-a
                    data: {train: "file:%s/pairs-a.jsonl"}
                  - name: site-b
                    data: {train: "file:%s/pairs-b.jsonl"}
                """.formatted(TINY, architecture, DATA, DATA, DATA);
        Path f = dir.resolve("tiny-llama.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void aFileLlamaWithoutArchitectureTrainsOnItsConfigJsonsShape(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SimulateCommand real = SimulateCommand.withDjl(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit = new CommandLine(real).execute(manifest(dir, "").toString(), "--out", dir.resolve("out").toString(),
                "--threads", "1", "--cache-dir", dir.resolve("cache").toString());
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, stderr + out.toString(StandardCharsets.UTF_8));
        JsonNode results = new ObjectMapper().readTree(dir.resolve("out/results.json").toFile());
        assertEquals("succeeded", results.get("status").asText());
        AdapterState adapter = SafetensorsCodec.decode(Files.readAllBytes(dir.resolve("out/adapter.safetensors")));
        var spec = ManifestValidator.standard().load(manifest(dir, "")).getSpec();
        assertEquals(FederationJobMapper.layout(spec, TINY_LLAMA).parameterCount(), adapter.parameterCount(),
                "the adapter is laid out on config.json's shape");
        assertEquals(results.get("final").get("trainableParameters").asLong(), adapter.parameterCount());
    }

    @Test
    void aDeclaredArchitectureThatDiffersExitsWith2NamingTheFieldsBeforeAnyModelLoads(@TempDir Path dir) throws Exception {
        AtomicInteger opened = new AtomicInteger();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SimulateCommand command = new SimulateCommand((threads, cache) -> spec -> {
            opened.incrementAndGet();
            throw new IllegalStateException("no model should be opened");
        }, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        String declared = "\n    architecture: {family: LLAMA, hiddenSize: 64, numLayers: 4, intermediateSize: 160,"
                + " numHeads: 4, numKeyValueHeads: 4, vocabSize: 400, maxPositions: 256}";
        int exit = new CommandLine(command).execute(manifest(dir, declared).toString(), "--out",
                dir.resolve("out").toString());
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, exit, stderr);
        assertTrue(stderr.contains("spec.model.architecture: does not match the config.json of file:" + TINY
                + ": numLayers expected 4, found 2 (num_hidden_layers); numKeyValueHeads expected 4, found 2"
                + " (num_key_value_heads)"), stderr);
        assertEquals(0, opened.get());
    }

    @Test
    void aPvcModelCannotBeSimulated(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SimulateCommand command = new SimulateCommand((threads, cache) -> spec -> {
            throw new IllegalStateException("no model should be opened");
        }, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        Path m = manifest(dir, "");
        Files.writeString(m, Files.readString(m).replace("file:" + TINY, "pvc:models/tiny-llama"));
        assertEquals(2, new CommandLine(command).execute(m.toString(), "--out", dir.resolve("out").toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("spec.model.uri: pvc:models/tiny-llama is on a"
                + " PersistentVolumeClaim, which only a cluster mounts"), err.toString(StandardCharsets.UTF_8));
    }
}
