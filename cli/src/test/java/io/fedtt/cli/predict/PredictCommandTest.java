package io.fedtt.cli.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.cli.FedttCommand;
import io.fedtt.cli.simulate.AdapterMetadata;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.adapter.AdapterModel;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.core.model.HfConfig;
import io.fedtt.worker.model.HfModelDirectory;
import io.fedtt.worker.model.PretrainedModel;
import io.fedtt.worker.model.TokenBatch;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.bert.BertParameterShapes;
import io.fedtt.worker.model.llama.LlamaModel;
import io.fedtt.worker.model.source.BuiltinModelSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fedtt predict} end to end through the command line: on the tiny LLaMA fixtures against the
 * logits transformers computed (tools/fixtures), greedy completions against arg-max by hand, and
 * classification on a tiny BERT, the built-in MiniLM and the tiny LLaMA's score head; every user error
 * is one line naming what is wrong, exit code 2, and nothing written.
 */
class PredictCommandTest {

    static final Path LLAMA = Path.of("../worker/src/test/resources/llama").toAbsolutePath().normalize();
    static final Path TINY_LLAMA = LLAMA.resolve("tiny-llama");
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final Path MODEL_CACHE = Path.of("target", "test-model-cache").toAbsolutePath();
    static final float TOLERANCE = 1e-4f;
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        EngineSettings.fromEnvironment(System.getenv()).start();
    }

    record Run(int exit, String stdout, String stderr) {
        List<String> errorLines() {
            return stderr.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Run predict(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("predict", "--threads", "1", "--cache-dir", MODEL_CACHE.toString()));
        all.addAll(List.of(args));
        int exit = FedttCommand.commandLine(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) array.get(i).asDouble();
        }
        return v;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length, "lengths");
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    Path jsonl(String name, String field, List<String> texts) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String t : texts) {
            b.append(JSON.writeValueAsString(Map.of(field, t))).append('\n');
        }
        Path f = tmp.resolve(name);
        Files.writeString(f, b.toString());
        return f;
    }

    Path write(String name, AdapterState state) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, SafetensorsCodec.encode(state, DType.F32));
        return f;
    }

    // ---- the tiny LLaMA fixtures

    static JsonNode texts() throws IOException {
        return JSON.readTree(LLAMA.resolve("texts.json").toFile());
    }

    static List<String> fixtureTexts() throws IOException {
        List<String> out = new ArrayList<>();
        texts().get("texts").forEach(t -> out.add(t.asText()));
        return out;
    }

    /** expected.safetensors[name] at [i, lengths[i]-1, :] for each text: the logits at its last position. */
    static float[][] lastPositionLogits(String name) throws IOException {
        JsonNode lengths = texts().get("lengths");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray all = NDList.decode(m, Files.readAllBytes(TINY_LLAMA.resolve("expected.safetensors"))).get(name);
            float[][] out = new float[lengths.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = all.get(i, lengths.get(i).asInt() - 1).toFloatArray();
            }
            return out;
        }
    }

    static float[][] expectedRows(String name) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray all = NDList.decode(m, Files.readAllBytes(TINY_LLAMA.resolve("expected.safetensors"))).get(name);
            float[][] out = new float[(int) all.getShape().get(0)][];
            for (int i = 0; i < out.length; i++) {
                out[i] = all.get(i).toFloatArray();
            }
            return out;
        }
    }

    static Tensor scoreWeight() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray s = NDList.decode(m, Files.readAllBytes(TINY_LLAMA.resolve("expected.safetensors"))).get("score.weight");
            return new Tensor(new int[] {(int) s.getShape().get(0), (int) s.getShape().get(1)}, s.toFloatArray());
        }
    }

    /** The fixture adapters' configuration (LlamaAdapterGoldenTest); the files hold no norm weights. */
    static AdapterConfig llamaTt() {
        return AdapterConfig.tt(3, 8).withModes(Map.of("down", List.of(8, 8, 8), "up", List.of(8, 8, 8)))
                .withTrainLayerNorm(false);
    }

    static Map<String, Tensor> fixtureTensors(String file) throws IOException {
        return new LinkedHashMap<>(SafetensorsCodec.decode(Files.readAllBytes(TINY_LLAMA.resolve(file))).tensors());
    }

    /** A fixture adapter file wrapped with the metadata fedtt simulate writes. */
    Path wrapped(String name, Map<String, Tensor> tensors, AdapterConfig config, List<String> labels) throws IOException {
        return write(name, new AdapterState(tensors, AdapterMetadata.of("file:" + TINY_LLAMA, labels, "test", config,
                null, labels.isEmpty() ? null : "sequence-classification")));
    }

    @Test
    void llamaNextTokenLogitsAtTheLastPositionMatchTransformers() throws Exception {
        Path in = jsonl("in.jsonl", "prompt", fixtureTexts());
        Path out = tmp.resolve("out.jsonl");
        Run r = predict("--model", "file:" + TINY_LLAMA, "--input", in.toString(), "--output", out.toString(),
                "--logits", "--max-new-tokens", "0", "--batch-size", "2");
        assertEquals(0, r.exit(), r.stderr());
        List<JsonNode> got = lines(out);
        float[][] expected = lastPositionLogits("logits");
        assertEquals(3, got.size());
        for (int i = 0; i < 3; i++) {
            assertEquals("", got.get(i).get("completion").asText());
            assertEquals(0, got.get(i).get("tokens").asInt());
            float d = maxAbsDiff(floats(got.get(i).get("logits")), expected[i]);
            assertTrue(d < TOLERANCE, "text " + i + " differs from transformers by " + d);
        }
    }

    @Test
    void llamaWithTheTtAndLoraAdaptersMatchesTransformers() throws Exception {
        Path in = jsonl("in.jsonl", "prompt", fixtureTexts());
        Map<String, AdapterConfig> configs = Map.of(
                "adapter-tt.safetensors", llamaTt(),
                "adapter-lora.safetensors", AdapterConfig.lora(8, List.of("q_proj", "v_proj")).withLoraAlpha(16));
        Map<String, String> expectedName = Map.of("adapter-tt.safetensors", "logits_tt",
                "adapter-lora.safetensors", "logits_lora");
        try (HuggingFaceTokenizer decoder = HuggingFaceTokenizer.newInstance(TINY_LLAMA.resolve("tokenizer.json"))) {
            for (var e : configs.entrySet()) {
                Path adapter = wrapped("wrapped-" + e.getKey(), fixtureTensors(e.getKey()), e.getValue(), List.of());
                Path out = tmp.resolve("out-" + e.getKey() + ".jsonl");
                Run r = predict("--model", "file:" + TINY_LLAMA, "--adapter", adapter.toString(), "--input",
                        in.toString(), "--output", out.toString(), "--logits", "--max-new-tokens", "1");
                assertEquals(0, r.exit(), r.stderr());
                List<JsonNode> got = lines(out);
                float[][] expected = lastPositionLogits(expectedName.get(e.getKey()));
                for (int i = 0; i < 3; i++) {
                    float[] logits = floats(got.get(i).get("logits"));
                    float d = maxAbsDiff(logits, expected[i]);
                    assertTrue(d < TOLERANCE, e.getKey() + " text " + i + " differs from transformers by " + d);
                    // the one generated token is the arg-max of transformers' logits with the adapter
                    assertEquals(1, got.get(i).get("tokens").asInt());
                    assertEquals(decoder.decode(new long[] {argmax(expected[i])}, true),
                            got.get(i).get("completion").asText(), e.getKey() + " text " + i);
                }
            }
        }
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int k = 1; k < v.length; k++) {
            if (v[k] > v[best]) {
                best = k;
            }
        }
        return best;
    }

    @Test
    void greedyCompletionsEqualArgmaxByHand() throws Exception {
        List<String> prompts = fixtureTexts();
        Path in = jsonl("in.jsonl", "prompt", prompts);
        Path out = tmp.resolve("out.jsonl");
        int steps = 5;
        Run r = predict("--model", "file:" + TINY_LLAMA, "--input", in.toString(), "--output", out.toString(),
                "--max-new-tokens", Integer.toString(steps), "--batch-size", "3");
        assertEquals(0, r.exit(), r.stderr());
        List<JsonNode> got = lines(out);

        JsonNode ids = texts().get("input_ids");
        long eos = texts().get("eos_token_id").asLong();
        float[][] fixture = lastPositionLogits("logits");
        try (PretrainedModel model = PretrainedModel.load(TINY_LLAMA, 256);
                HuggingFaceTokenizer decoder = HuggingFaceTokenizer.newInstance(TINY_LLAMA.resolve("tokenizer.json"))) {
            LlamaModel llama = (LlamaModel) model.backbone();
            for (int i = 0; i < prompts.size(); i++) {
                List<Long> seq = new ArrayList<>();
                ids.get(i).forEach(t -> seq.add(t.asLong()));
                List<Long> generated = new ArrayList<>();
                for (int s = 0; s < steps; s++) {
                    float[] next = nextTokenLogits(llama, model.manager(), seq);
                    int token = argmax(next);
                    if (s == 0) {
                        assertEquals(argmax(fixture[i]), token, "first token of text " + i + " vs transformers");
                    }
                    seq.add((long) token);
                    generated.add((long) token);
                    if (token == eos) {
                        break;
                    }
                }
                long[] g = generated.stream().mapToLong(Long::longValue).toArray();
                assertEquals(g.length, got.get(i).get("tokens").asInt(), "tokens of text " + i);
                assertEquals(decoder.decode(g, true), got.get(i).get("completion").asText(), "completion of text " + i);
                assertFalse(got.get(i).has("logits"));
            }
        }
    }

    /** One unpadded forward pass: the logits after the last token of {@code seq}. */
    static float[] nextTokenLogits(LlamaModel llama, NDManager parent, List<Long> seq) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = parent.newSubManager()) {
            long[] ids = seq.stream().mapToLong(Long::longValue).toArray();
            long[] mask = new long[ids.length];
            java.util.Arrays.fill(mask, 1);
            Shape shape = new Shape(1, ids.length);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray hidden = llama.forward(ps, new NDList(m.create(ids, shape), m.create(mask, shape)), false)
                    .singletonOrThrow();
            return llama.lmLogits(ps, hidden.get(0, ids.length - 1), false).toFloatArray();
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    @Test
    void llamaClassificationMatchesTransformersScoreHead() throws Exception {
        List<String> labels = List.of("neg", "neu", "pos");
        Path in = jsonl("in.jsonl", "text", fixtureTexts());
        ModelConfig config = HfConfig.describe(TINY_LLAMA.resolve("config.json")).withNumLabels(3);

        // The head alone: an identity-at-start TT layout (norms from the base: trainLayerNorm) plus the score.
        AdapterConfig tt = llamaTt().withTrainLayerNorm(true);
        AdapterState initial = AdapterInitializer.initialize(AdapterLayout.of(config, tt), 1);
        AdapterState headOnly = initial.with(Map.of("score.weight", scoreWeight()))
                .withMetadata(AdapterMetadata.of("file:" + TINY_LLAMA, labels, "test", tt, 256, "sequence-classification"));
        // The fixture's TT adapters plus the score.
        Map<String, Tensor> withTt = fixtureTensors("adapter-tt.safetensors");
        withTt.put("score.weight", scoreWeight());

        Map<Path, String> cases = new LinkedHashMap<>();
        cases.put(write("head.safetensors", headOnly), "cls_logits");
        cases.put(wrapped("tt-head.safetensors", withTt, llamaTt(), labels), "cls_logits_tt");
        for (var c : cases.entrySet()) {
            Path out = tmp.resolve("out-" + c.getValue() + ".jsonl");
            // no --model: the adapter's metadata names it
            Run r = predict("--adapter", c.getKey().toString(), "--input", in.toString(), "--output", out.toString(),
                    "--logits", "--batch-size", "2");
            assertEquals(0, r.exit(), r.stderr());
            List<JsonNode> got = lines(out);
            float[][] expected = expectedRows(c.getValue());
            for (int i = 0; i < 3; i++) {
                JsonNode row = got.get(i);
                float d = maxAbsDiff(floats(row.get("logits")), expected[i]);
                assertTrue(d < TOLERANCE, c.getValue() + " text " + i + " differs from transformers by " + d);
                assertEquals(labels.get(argmax(expected[i])), row.get("label").asText());
                checkProbabilities(row, labels, expected[i]);
            }
        }
    }

    static void checkProbabilities(JsonNode row, List<String> labels, float[] logits) {
        JsonNode p = row.get("probabilities");
        assertEquals(labels.size(), p.size());
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double z = 0;
        for (float v : logits) {
            z += Math.exp(v - max);
        }
        for (int k = 0; k < labels.size(); k++) {
            assertEquals(Math.exp(logits[k] - max) / z, p.get(labels.get(k)).asDouble(), 1e-4, labels.get(k));
        }
    }

    // ---- BERT family

    static BertConfig tinyBert(int hidden) {
        return new BertConfig("bert", 30522, hidden, 2, 2, 2 * hidden, "gelu", 0.1f, 0.1f, 64, 2, 1e-12f, 0);
    }

    /** A tiny BERT (MiniLM's tokenizer, random weights) in Hugging Face layout. */
    Path tinyBertDir(String name, BertConfig c, long seed) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Random r = new Random(seed);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        BertParameterShapes.of(c).forEach((n, shape) -> {
            Tensor t = Tensor.zeros(shape);
            float[] d = t.data();
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) (r.nextGaussian() * 0.2);
            }
            weights.put(n, t);
        });
        c.write(dir.resolve(HfModelDirectory.CONFIG));
        Files.write(dir.resolve(HfModelDirectory.WEIGHTS), SafetensorsCodec.encode(new AdapterState(weights), DType.F32));
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(in, dir.resolve(HfModelDirectory.TOKENIZER));
        }
        return dir;
    }

    static final List<String> BERT_TEXTS = List.of(
            "Win a free cruise now, reply with your bank details!!!",
            "Meeting moved to 3pm.",
            "ok",
            "The quarterly report is attached; please review the figures in section two before Friday's call.",
            "Cheap meds, no prescription needed, click here");

    /** Logits of each text alone (no batching, no sorting), from the adapter attached by hand. */
    static float[][] oneByOne(Path dir, int maxLength, AdapterLayout layout, AdapterState state, List<String> texts)
            throws IOException {
        try (PretrainedModel base = PretrainedModel.load(dir, maxLength)) {
            AdapterModel model = AdapterModel.attach(base, layout, state, PredictCommand.POOLING);
            float[][] out = new float[texts.size()][];
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try {
                for (int i = 0; i < texts.size(); i++) {
                    try (NDManager m = base.manager().newSubManager()) {
                        TokenBatch b = base.tokenizer().encode(List.of(texts.get(i)));
                        out[i] = model.logits(new ParameterStore(m, false), b.toNDList(m), false).toFloatArray();
                    }
                }
            } finally {
                JniUtils.setGradMode(grad);
            }
            return out;
        }
    }

    @Test
    void bertClassificationEqualsTheAdapterAppliedTextByText() throws Exception {
        BertConfig c = tinyBert(8);
        Path dir = tinyBertDir("tiny-bert", c, 3);
        List<String> labels = List.of("ham", "spam", "promo");
        AdapterConfig config = AdapterConfig.tt(3, 4).withInit(AdapterConfig.Init.LORETTA);
        AdapterLayout layout = AdapterLayout.of(c.modelConfig(labels.size()), config);
        AdapterState state = AdapterInitializer.initialize(layout, 5)
                .withMetadata(AdapterMetadata.of("file:" + dir, labels, "FedTT", config, 16, "sequence-classification"));
        Path adapter = write("adapter.safetensors", state);
        Path in = jsonl("in.jsonl", "text", BERT_TEXTS);
        Path out = tmp.resolve("out.jsonl");

        Run r = predict("--adapter", adapter.toString(), "--input", in.toString(), "--output", out.toString(),
                "--logits", "--batch-size", "2");
        assertEquals(0, r.exit(), r.stderr());
        assertTrue(r.stderr().contains("wrote 5 predictions"), r.stderr());
        List<JsonNode> got = lines(out);
        float[][] expected = oneByOne(dir, 16, layout, SafetensorsCodec.decode(Files.readAllBytes(adapter)), BERT_TEXTS);
        assertEquals(BERT_TEXTS.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            float d = maxAbsDiff(floats(got.get(i).get("logits")), expected[i]);
            assertTrue(d < 1e-5, "text " + i + " differs by " + d);
            assertEquals(labels.get(argmax(expected[i])), got.get(i).get("label").asText());
            checkProbabilities(got.get(i), labels, expected[i]);
        }
    }

    @Test
    void miniLmWithAnOperatorAdapterAndItsManifestEqualsTheSelfDescribingFile() throws Exception {
        new BuiltinModelSource().resolve("builtin:all-minilm-l6-v2", MODEL_CACHE);
        Path manifest = REPO.resolve("examples/quickstart.yaml");
        var spec = ManifestValidator.standard().load(manifest).getSpec();
        AdapterConfig config = FederationJobMapper.adapterConfig(spec.getAdapter()).withInit(AdapterConfig.Init.LORETTA);
        AdapterLayout layout = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), config);
        // As the operator writes it: the coordinator's global, whose metadata says only the type and init.
        AdapterState global = AdapterInitializer.initialize(layout, 11);
        Path operatorFile = write("operator.safetensors", global);
        Path simulateFile = write("simulate.safetensors", global.withMetadata(AdapterMetadata.of(spec.getModel().getUri(),
                spec.getModel().getLabels(), "FedTT", config, spec.getModel().getMaxSequenceLength(),
                "sequence-classification")));
        Path in = jsonl("in.jsonl", "body", BERT_TEXTS);

        Run refused = predict("--adapter", operatorFile.toString(), "--input", in.toString(), "--output",
                tmp.resolve("x.jsonl").toString());
        assertEquals(2, refused.exit());
        assertEquals(1, refused.errorLines().size(), refused.stderr());
        assertTrue(refused.stderr().contains("--manifest"), refused.stderr());

        Path a = tmp.resolve("a.jsonl");
        Path b = tmp.resolve("b.jsonl");
        Run r1 = predict("--adapter", operatorFile.toString(), "--manifest", manifest.toString(), "--input",
                in.toString(), "--text-field", "body", "--output", a.toString(), "--logits");
        assertEquals(0, r1.exit(), r1.stderr());
        Run r2 = predict("--adapter", simulateFile.toString(), "--input", in.toString(), "--text-field", "body",
                "--output", b.toString(), "--logits");
        assertEquals(0, r2.exit(), r2.stderr());
        assertEquals(Files.readString(a), Files.readString(b));
        for (JsonNode row : lines(a)) {
            assertTrue(List.of("ham", "spam").contains(row.get("label").asText()), row.toString());
            assertEquals(2, row.get("logits").size());
        }

        // An adapter the job trained at another TT rank than the manifest now gives (an omitted ttRank
        // takes this version's default): refused, naming the tensor and the manifest's part in it.
        AdapterConfig otherRank = config.withTtRank(config.ttRank() + 2);
        Path otherFile = write("other-rank.safetensors",
                AdapterInitializer.initialize(AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), otherRank), 11));
        Path c = tmp.resolve("c.jsonl");
        assertRefused(predict("--adapter", otherFile.toString(), "--manifest", manifest.toString(), "--input",
                in.toString(), "--text-field", "body", "--output", c.toString()), c, "tensor '", "--manifest " + manifest,
                "ttRank");
    }

    // ---- errors: one line naming what is wrong, exit code 2, nothing written

    void assertRefused(Run r, Path output, String... mentions) {
        assertEquals(PredictCommand.EXIT_INVALID, r.exit(), r.stderr());
        List<String> lines = r.errorLines();
        assertEquals(1, lines.size(), "one line expected: " + r.stderr());
        String line = lines.get(0);
        assertTrue(line.startsWith("fedtt: "), line);
        assertFalse(line.contains("Exception") || r.stderr().contains("\tat "), line);
        for (String m : mentions) {
            assertTrue(line.contains(m), "'" + m + "' not in: " + line);
        }
        if (output != null) {
            assertFalse(Files.exists(output), output + " was written");
        }
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "a temporary file was left");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void missingOrUnknownModelsAreNamed() throws Exception {
        Path in = jsonl("in.jsonl", "prompt", List.of("hello"));
        Path out = tmp.resolve("out.jsonl");
        Path missing = tmp.resolve("no-such-model");
        assertRefused(predict("--model", "file:" + missing, "--input", in.toString(), "--output", out.toString()), out,
                missing.toString());
        assertRefused(predict("--model", "builtin:nope", "--input", in.toString(), "--output", out.toString()), out,
                "builtin:nope");
        assertRefused(predict("--model", "gopher://x", "--input", in.toString(), "--output", out.toString()), out,
                "gopher://x");
    }

    @Test
    void anAdapterForAnotherModelNamesTheTensor() throws Exception {
        BertConfig small = tinyBert(8);
        Path smallDir = tinyBertDir("small", small, 1);
        Path wideDir = tinyBertDir("wide", tinyBert(12), 2);
        AdapterConfig lora = AdapterConfig.lora(4, List.of("query", "value"));
        AdapterLayout layout = AdapterLayout.of(small.modelConfig(2), lora);
        Path adapter = write("lora.safetensors", AdapterInitializer.initialize(layout, 1)
                .withMetadata(AdapterMetadata.of("file:" + smallDir, List.of("a", "b"), "LoRA", lora)));
        Path in = jsonl("in.jsonl", "text", List.of("hello"));
        Path out = tmp.resolve("out.jsonl");
        assertRefused(predict("--model", "file:" + wideDir, "--adapter", adapter.toString(), "--input", in.toString(),
                "--output", out.toString()), out, adapter.toString(),
                // the first tensor in name order that differs (the LoRA pairs differ too)
                "tensor 'classifier.dense.bias' has shape [8], expected [12]", "trained on file:" + smallDir);
    }

    @Test
    void badInputLinesAreNamedByFileAndLine() throws Exception {
        Path dir = tinyBertDir("tiny-bert", tinyBert(8), 3);
        AdapterConfig config = AdapterConfig.tt(2, 4);
        AdapterLayout layout = AdapterLayout.of(tinyBert(8).modelConfig(2), config);
        Path adapter = write("adapter.safetensors", AdapterInitializer.initialize(layout, 1)
                .withMetadata(AdapterMetadata.of("file:" + dir, List.of("a", "b"), "FedTT", config)));
        Path out = tmp.resolve("out.jsonl");
        Files.writeString(out, "an earlier output\n");

        Path badJson = tmp.resolve("bad.jsonl");
        Files.writeString(badJson, "{\"text\": \"fine\"}\n\n{\"text\": \"broken\n");
        Run r = predict("--adapter", adapter.toString(), "--input", badJson.toString(), "--output", out.toString());
        assertRefused(r, null, badJson + ":3:", "not valid JSON");

        Path noField = tmp.resolve("nofield.jsonl");
        Files.writeString(noField, "{\"txt\": \"typo\"}\n");
        assertRefused(predict("--adapter", adapter.toString(), "--input", noField.toString(), "--output", out.toString()),
                null, noField + ":1:", "\"text\"", "--text-field");

        Path notString = tmp.resolve("number.jsonl");
        Files.writeString(notString, "{\"text\": \"a\"}\n{\"text\": 42}\n");
        assertRefused(predict("--adapter", adapter.toString(), "--input", notString.toString(), "--output",
                out.toString()), null, notString + ":2:", "number");

        Path notObject = tmp.resolve("array.jsonl");
        Files.writeString(notObject, "[\"text\"]\n");
        assertRefused(predict("--adapter", adapter.toString(), "--input", notObject.toString(), "--output",
                out.toString()), null, notObject + ":1:", "JSON object");

        Path absent = tmp.resolve("absent.jsonl");
        assertRefused(predict("--adapter", adapter.toString(), "--input", absent.toString(), "--output", out.toString()),
                null, absent.toString());

        assertEquals("an earlier output\n", Files.readString(out), "a failed run must leave the old output alone");
    }

    @Test
    void aBertModelWithoutAnAdapterIsRefused() throws Exception {
        Path dir = tinyBertDir("tiny-bert", tinyBert(8), 3);
        Path in = jsonl("in.jsonl", "text", List.of("hello"));
        Path out = tmp.resolve("out.jsonl");
        assertRefused(predict("--model", "file:" + dir, "--input", jsonl("p.jsonl", "prompt", List.of("hi")).toString(),
                "--output", out.toString()), out, "--adapter", "BERT");
        assertTrue(Files.exists(in));
    }

    @Test
    void otherUserErrors() throws Exception {
        Path in = jsonl("in.jsonl", "prompt", List.of("hello"));
        Path out = tmp.resolve("out.jsonl");
        String model = "file:" + TINY_LLAMA;
        assertRefused(predict("--model", model, "--input", in.toString(), "--output", out.toString(),
                "--max-new-tokens", "-1"), out, "--max-new-tokens");
        assertRefused(predict("--model", model, "--input", in.toString(), "--output", out.toString(),
                "--batch-size", "0"), out, "--batch-size");
        assertRefused(predict("--model", model, "--input", in.toString(), "--output", tmp.toString()), null,
                "--output", "folder");
        assertRefused(predict("--model", model, "--input", in.toString(), "--output",
                tmp.resolve("no/such/dir/out.jsonl").toString()), null, "does not exist");
        assertRefused(predict("--model", model, "--input", in.toString(), "--output", out.toString(),
                "--max-new-tokens", "300"), out, in + ":1:", "context of 256");
        Path notSafetensors = tmp.resolve("junk.safetensors");
        Files.writeString(notSafetensors, "not an adapter");
        assertRefused(predict("--model", model, "--adapter", notSafetensors.toString(), "--input", in.toString(),
                "--output", out.toString()), out, notSafetensors.toString());
        assertRefused(predict("--model", model, "--manifest", "x.yaml", "--input", in.toString(), "--output",
                out.toString()), out, "--adapter");
        Path noModel = write("nomodel.safetensors", new AdapterState(fixtureTensors("adapter-tt.safetensors"),
                Map.of(AdapterMetadata.ADAPTER, "{\"type\":\"tt\",\"ttRank\":3,\"bottleneck\":8}")));
        assertRefused(predict("--adapter", noModel.toString(), "--input", in.toString(), "--output", out.toString()),
                out, "--model");
    }

    @Test
    void anEmptyInputGivesAnEmptyOutput() throws Exception {
        Path in = tmp.resolve("empty.jsonl");
        Files.writeString(in, "\n\n");
        Path out = tmp.resolve("out.jsonl");
        Run r = predict("--model", "file:" + TINY_LLAMA, "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.exit(), r.stderr());
        assertEquals("", Files.readString(out));
    }
}
