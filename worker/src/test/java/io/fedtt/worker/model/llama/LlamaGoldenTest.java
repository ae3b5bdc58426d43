package io.fedtt.worker.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.WeightPrecision;
import io.fedtt.worker.model.checkpoint.SafetensorsCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DJL decoder against Hugging Face transformers on tiny random checkpoints
 * (tools/fixtures/llama_fixtures.py): LLaMA with grouped-query attention, LLaMA 3 with tied
 * embeddings, llama3 RoPE scaling and bf16 shards, Qwen2 (q/k/v biases, fp16), Mistral.
 */
class LlamaGoldenTest {

    static final Path FIXTURES = Path.of("src/test/resources/llama");
    static final float TOLERANCE = 1e-4f;

    @BeforeAll
    static void engine() {
        EngineSettings.fromEnvironment(System.getenv()).start();
    }

    static LlamaModel load(String name, NDManager manager, WeightPrecision precision) throws Exception {
        Path dir = FIXTURES.resolve(name);
        LlamaConfig config = LlamaConfig.read(dir.resolve("config.json"));
        return LlamaWeights.load(config, SafetensorsCheckpoint.open(dir), manager, precision).model();
    }

    static NDList expected(String name, NDManager manager) throws Exception {
        return NDList.decode(manager, Files.readAllBytes(FIXTURES.resolve(name).resolve("expected.safetensors")));
    }

    static NDArray logits(LlamaModel model, NDManager m, NDArray ids, NDArray mask) {
        ParameterStore ps = new ParameterStore(m, false);
        NDArray hidden = model.forward(ps, new NDList(ids, mask), false).singletonOrThrow();
        return model.lmLogits(ps, hidden, false);
    }

    static float maxAbsDiff(NDArray a, NDArray b) {
        assertEquals(b.getShape(), a.getShape(), "shape");
        return a.sub(b).abs().max().getFloat();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama3", "tiny-qwen2", "tiny-mistral"})
    void causalLmLogitsMatchTransformers(String name) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = load(name, m, WeightPrecision.AUTO);
            NDList exp = expected(name, m);
            NDArray ids = exp.get("input_ids");
            NDArray mask = exp.get("attention_mask");
            float diff = maxAbsDiff(logits(model, m, ids, mask), exp.get("logits"));
            assertTrue(diff < TOLERANCE, name + ": batched logits differ from transformers by " + diff);
            long[] lengths = mask.sum(new int[] {1}).toLongArray();
            for (int i = 0; i < lengths.length; i++) {
                NDArray one = ids.get(i + ":" + (i + 1) + ", 0:" + lengths[i]);
                NDArray ones = m.ones(one.getShape(), DataType.INT64);
                float d = maxAbsDiff(logits(model, m, one, ones), exp.get("logits_single_" + i));
                assertTrue(d < TOLERANCE, name + ": text " + i + " alone differs by " + d);
            }
        }
    }
}
