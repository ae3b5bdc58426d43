package io.fedtt.api.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.TestFiles;
import io.fedtt.api.v1alpha1.AdapterSpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ModelStatus;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.api.validation.Problem;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.model.HubClient;
import io.fedtt.core.model.ModelConfigFetcher;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's model shape from config.json, a preset or its declaration; how they must agree. */
class ModelShapesTest {

    static final String TINY_LLAMA = "{\"model_type\":\"llama\",\"hidden_size\":64,\"num_hidden_layers\":2,"
            + "\"intermediate_size\":160,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"vocab_size\":400,"
            + "\"max_position_embeddings\":256}";
    static final String TINY_BERT = "{\"model_type\":\"bert\",\"hidden_size\":32,\"num_hidden_layers\":2,"
            + "\"intermediate_size\":64,\"num_attention_heads\":2}";

    @TempDir
    Path dir;
    ModelConfigFetcher fetcher;

    @BeforeEach
    void models() throws IOException {
        Files.createDirectories(dir.resolve("llama"));
        Files.writeString(dir.resolve("llama/config.json"), TINY_LLAMA);
        Files.createDirectories(dir.resolve("bert"));
        Files.writeString(dir.resolve("bert/config.json"), TINY_BERT);
        fetcher = new ModelConfigFetcher(new HubClient(URI.create("http://127.0.0.1:" + closedPort()), Optional.empty(),
                true, Duration.ofSeconds(2), Duration.ofSeconds(2)), dir);
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static FederatedFineTune job(String file) {
        return ManifestValidator.standard().load(TestFiles.manifest("valid/" + file));
    }

    static FederatedFineTune causal(String uri) {
        FederatedFineTune fft = job("causal-lm-instruction-tuning.yaml");
        fft.getSpec().getModel().setUri(uri);
        fft.getSpec().getModel().setArchitecture(null);
        return fft;
    }

    @Test
    void aModelWithoutArchitectureTakesItsConfigJsonsShape() {
        var out = ModelShapes.resolve(causal("file:llama").getSpec(), fetcher);
        assertEquals(new ModelShapes.Outcome.Known(ModelConfig.llama(64, 2, 160, 4, 2, 400, 256, false, false),
                ModelStatus.Source.CONFIG_JSON, null), out);
        FederatedFineTune classify = job("pvc-model-with-architecture.yaml");
        classify.getSpec().getModel().setUri("file:" + dir.resolve("bert"));
        classify.getSpec().getModel().setArchitecture(null);
        var bert = (ModelShapes.Outcome.Known) ModelShapes.resolve(classify.getSpec(), fetcher);
        assertEquals(ModelConfig.bert(32, 2, 64, 2, 30522, 512, 2, 2), bert.model(), "two labels, two outputs");
    }

    @Test
    void aDeclaredArchitectureMustMatchConfigJsonFieldByField() {
        FederatedFineTune fft = causal("file:llama");
        fft.getSpec().getModel().setArchitecture(FederationJobMapper.architecture(
                ModelConfig.llama(64, 2, 160, 4, 2, 400, 256, false, false)));
        assertInstanceOf(ModelShapes.Outcome.Known.class, ModelShapes.resolve(fft.getSpec(), fetcher));
        fft.getSpec().getModel().setArchitecture(FederationJobMapper.architecture(
                ModelConfig.llama(64, 4, 160, 4, 4, 400, 256, false, false)));
        var out = (ModelShapes.Outcome.Invalid) ModelShapes.resolve(fft.getSpec(), fetcher);
        assertEquals("spec.model.architecture", out.path());
        assertEquals("does not match the config.json of file:llama: numLayers expected 4, found 2 (num_hidden_layers);"
                + " numKeyValueHeads expected 4, found 2 (num_key_value_heads)"
                + " (leave spec.model.architecture out, or fix it)", out.message());
    }

    @Test
    void causalLmOnABertConfigIsInvalidAtTheTask() {
        var out = (ModelShapes.Outcome.Invalid) ModelShapes.resolve(causal("file:bert").getSpec(), fetcher);
        assertEquals("spec.model.task", out.path());
        assertEquals("causal-lm needs a LLAMA-family model; file:bert is BERT-family (config.json model_type)",
                out.message());
    }

    @Test
    void aFolderTheReaderCannotSeeNeedsTheArchitecture() {
        var out = (ModelShapes.Outcome.Invalid) ModelShapes.resolve(causal("file:/models/elsewhere").getSpec(), fetcher);
        assertEquals("spec.model.uri", out.path());
        assertTrue(out.message().startsWith("file:/models/elsewhere: no /models/elsewhere/config.json (no such model"
                + " folder); a file: path only the workers mount needs spec.model.architecture"), out.message());
        FederatedFineTune declared = job("pvc-model-with-architecture.yaml");
        declared.getSpec().getModel().setUri("file:/models/elsewhere");
        var known = (ModelShapes.Outcome.Known) ModelShapes.resolve(declared.getSpec(), fetcher);
        assertEquals(ModelStatus.Source.DECLARED, known.source());
        assertEquals(ModelConfig.bert(32, 2, 64, 2, 30522, 512, 2, 2), known.model());
        assertTrue(known.note().contains("the workers check spec.model.architecture"), known.note());
    }

    @Test
    void anUnreachableHubIsWorthAnotherTryUnlessTheShapeIsDeclared() {
        FederatedFineTune hf = job("hf-model-without-architecture.yaml");
        var out = ModelShapes.resolve(hf.getSpec(), fetcher);
        assertInstanceOf(ModelShapes.Outcome.Unavailable.class, out);
        assertTrue(((ModelShapes.Outcome.Unavailable) out).message().startsWith("cannot read the model's config.json"
                + " for now"), out.toString());
        hf.getSpec().getModel().setArchitecture(FederationJobMapper.architecture(ModelConfig.allMiniLmL6V2(0)));
        assertEquals(ModelStatus.Source.DECLARED,
                ((ModelShapes.Outcome.Known) ModelShapes.resolve(hf.getSpec(), fetcher)).source());
    }

    @Test
    void builtinsAndClaims() {
        FederatedFineTune quick = job("quickstart.yaml");
        assertEquals(new ModelShapes.Outcome.Known(ModelConfig.allMiniLmL6V2(2), ModelStatus.Source.BUILTIN, null),
                ModelShapes.resolve(quick.getSpec(), fetcher));
        quick.getSpec().getModel().setArchitecture(FederationJobMapper.architecture(ModelConfig.robertaBase(0)));
        var wrong = (ModelShapes.Outcome.Invalid) ModelShapes.resolve(quick.getSpec(), fetcher);
        assertTrue(wrong.message().startsWith("does not match the built-in model builtin:all-minilm-l6-v2: hiddenSize"
                + " expected 768, found 384"), wrong.message());
        assertEquals(new ModelShapes.Outcome.NeedsProbe("models", "llama/v1"),
                ModelShapes.resolve(causal("pvc:models/llama/v1").getSpec(), fetcher));
        assertEquals(new ModelShapes.Outcome.NeedsProbe("models", ""),
                ModelShapes.resolve(causal("pvc:models").getSpec(), fetcher));
        FederatedFineTune hf = causal("hf:org/model@v1");
        hf.getSpec().getModel().setRevision("v2");
        assertEquals("spec.model.revision", ((ModelShapes.Outcome.Invalid) ModelShapes.resolve(hf.getSpec(), fetcher)).path());
        hf.getSpec().getModel().setUri("hf:org/model");
        assertEquals("hf:org/model@v2", ModelShapes.reference(hf.getSpec()));
    }

    @Test
    void theAdaptersLayoutIsCheckedAgainstAShapeFoundOutsideTheManifest() {
        FederatedFineTune fft = causal("file:llama");
        AdapterSpec a = new AdapterSpec();
        a.setTtProjections(List.of("intermediate.dense", "v_proj"));
        fft.getSpec().setAdapter(a);
        assertEquals(List.of(), ManifestValidator.standard().validate(fft), "without a shape nothing to check yet");
        ModelConfig llama = ((ModelShapes.Outcome.Known) ModelShapes.resolve(fft.getSpec(), fetcher)).model();
        List<Problem> problems = ManifestValidator.modelProblems(fft, llama);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("spec.adapter.ttProjections[0]", problems.get(0).path());
        assertEquals(List.of(new Problem("spec.model.task", "causal-lm needs a LLAMA-family model; file:llama is"
                + " BERT-family (config.json model_type)")), ManifestValidator.modelProblems(causal("file:llama"),
                ModelConfig.allMiniLmL6V2(0)));
    }
}
