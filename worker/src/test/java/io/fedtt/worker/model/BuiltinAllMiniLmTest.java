package io.fedtt.worker.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.worker.adapter.AdapterModel;
import io.fedtt.worker.adapter.ClassificationHead;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.source.BuiltinModelSource;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in MiniLM end to end: converted once from the ONNX file into a Hugging Face directory,
 * loaded into the DJL encoder, and checked against ONNX Runtime running the original ONNX file.
 */
class BuiltinAllMiniLmTest {

    static final List<String> SENTENCES = List.of(
            "Hello world.",
            "The quick brown fox jumps over the lazy dog.",
            "Tensor-train adapters cut communication by an order of magnitude in federated fine-tuning.",
            "Is this spam? WIN A FREE iPhone!!! Click http://example.com/claim now",
            "a",
            "Numbers like 3.14159, 2,718 and 1e-12 are tokenized into word pieces.",
            "Ünïcödé, accents, and emoji 🙂 go through the BERT normalizer.",
            "Re: [ilug] Kernel 2.4.19 compile error on RedHat 7.3 -- any ideas? I tried make clean and "
                    + "make dep again but the same undefined reference shows up when linking the modules.",
            "Short one",
            "Many many words ".repeat(60)); // longer than 128 tokens: truncated

    @TempDir
    static Path cache;
    static BuiltinModelSource source;
    static Path modelDir;
    static PretrainedModel model;

    @BeforeAll
    static void load() throws Exception {
        long t0 = System.nanoTime();
        EngineSettings settings = EngineSettings.fromEnvironment(System.getenv());
        settings.start();
        assertEquals(settings.intraOpThreads(), EngineSettings.activeIntraOpThreads(), "thread setting took effect");
        long t1 = System.nanoTime();
        source = new BuiltinModelSource();
        modelDir = source.resolve("builtin:all-minilm-l6-v2", cache);
        long t2 = System.nanoTime();
        model = PretrainedModel.load(modelDir, 128);
        long t3 = System.nanoTime();
        System.out.printf("engine start %d ms, conversion %d ms (resolve %d ms), load %d ms%n",
                (t1 - t0) / 1_000_000, source.lastConversionMillis(), (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void conversionWritesHuggingFaceLayoutOnceAndThenHitsTheCache() throws Exception {
        for (String f : HfModelDirectory.FILES) {
            assertTrue(Files.size(modelDir.resolve(f)) > 0, f);
        }
        assertEquals(22_565_376L, model.loadReport().parameters());
        FileTime before = Files.getLastModifiedTime(modelDir.resolve(HfModelDirectory.WEIGHTS));
        BuiltinModelSource again = new BuiltinModelSource();
        Path second = again.resolve("builtin:all-minilm-l6-v2", cache);
        assertEquals(modelDir, second);
        assertEquals(-1, again.lastConversionMillis(), "second resolve must not convert again");
        assertEquals(before, Files.getLastModifiedTime(second.resolve(HfModelDirectory.WEIGHTS)));
        try (var entries = Files.list(cache.resolve("builtin"))) {
            assertEquals(1, entries.count(), "no temporary directories left behind");
        }
    }

    @Test
    void lastHiddenStateMatchesOnnxRuntime() throws Exception {
        TokenBatch batch = model.tokenizer().encode(SENTENCES);
        assertEquals(SENTENCES.size(), batch.batch());
        assertEquals(128, batch.length(), "the long sentence is truncated to maxSequenceLength");
        float[] ours;
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray out = model.forward(scope, batch).singletonOrThrow();
            assertEquals(List.of(10L, 128L, 384L), List.of(out.getShape().get(0), out.getShape().get(1), out.getShape().get(2)));
            ours = out.toFloatArray();
        }
        float[] reference = onnxRuntime(batch);
        assertEquals(reference.length, ours.length);
        double real = 0;
        double padding = 0;
        for (int i = 0; i < ours.length; i++) {
            double d = Math.abs(ours[i] - reference[i]);
            if (batch.attentionMask()[i / 384] == 1) {
                real = Math.max(real, d);
            } else {
                padding = Math.max(padding, d);
            }
        }
        System.out.printf("max |DJL - ONNX Runtime| of last_hidden_state: %.3g at tokens, %.3g at padding%n", real, padding);
        // Tokens are what the model defines; padding rows attend to few keys and amplify float
        // reordering (measured 9.7e-5 for a 3-token text padded to 128), so they get more room.
        assertTrue(real < 1e-5, "max abs diff at tokens " + real);
        assertTrue(padding < 5e-4, "max abs diff at padding " + padding);
    }

    @Test
    void dynamicPaddingPadsToTheLongestTextOfTheBatch() {
        TokenBatch batch = model.tokenizer().encode(List.of("Hello world.", "a"));
        assertEquals(5, batch.length()); // [CLS] hello world . [SEP]
        assertEquals(List.of(1L, 1L, 1L, 0L, 0L), List.of(batch.attentionMask()[5], batch.attentionMask()[6],
                batch.attentionMask()[7], batch.attentionMask()[8], batch.attentionMask()[9]));
    }

    @Test
    void ttAdaptersForMiniLmAttachAsTheIdentity() {
        TokenBatch batch = model.tokenizer().encode(SENTENCES.subList(0, 4));
        float[] before;
        float[] after;
        AdapterLayout layout = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt());
        try (NDManager scope = model.manager().newSubManager()) {
            before = model.forward(scope, batch).singletonOrThrow().toFloatArray();
        }
        AdapterModel adapted = AdapterModel.attach(model, layout, AdapterInitializer.initialize(layout, 1),
                ClassificationHead.Pooling.CLS);
        try (NDManager scope = model.manager().newSubManager()) {
            after = model.forward(scope, batch).singletonOrThrow().toFloatArray();
        } finally {
            adapted.detach();
        }
        assertArrayEquals(before, after);
        assertEquals(layout.parameterCount(), adapted.trainableParameters().values().stream()
                .mapToLong(p -> p.getArray().size()).sum());
        System.out.println("MiniLM TT layout: " + layout);
    }

    static float[] onnxRuntime(TokenBatch batch) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] onnx;
        try (InputStream in = BuiltinAllMiniLmTest.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            onnx = in.readAllBytes();
        }
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(onnx, opts)) {
                Map<String, OnnxTensor> inputs = new HashMap<>();
                long[] shape = {batch.batch(), batch.length()};
                inputs.put("input_ids", OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(batch.inputIds()), shape));
                inputs.put("attention_mask", OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(batch.attentionMask()), shape));
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(batch.tokenTypeIds()), shape));
                try (OrtSession.Result result = session.run(inputs)) {
                    OnnxTensor out = (OnnxTensor) result.get(0);
                    java.nio.FloatBuffer fb = out.getFloatBuffer();
                    float[] values = new float[fb.remaining()];
                    fb.get(values);
                    return values;
                } finally {
                    inputs.values().forEach(OnnxTensor::close);
                }
            }
        }
    }
}
