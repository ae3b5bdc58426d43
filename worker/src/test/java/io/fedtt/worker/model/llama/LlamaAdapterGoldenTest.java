package io.fedtt.worker.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.adapter.AdapterModel;
import io.fedtt.worker.adapter.ClassificationHead;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.WeightPrecision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TT adapters at the LLaMA sites, a TT delta on q_proj, LoRA on q/v and the last-token
 * classification head, each with fixed weights, against transformers with the same modules
 * inserted by hooks (tools/fixtures/llama_fixtures.py).
 */
class LlamaAdapterGoldenTest {

    static final float TOLERANCE = 1e-4f;

    @BeforeAll
    static void engine() {
        EngineSettings.fromEnvironment(System.getenv()).start();
    }

    static AdapterConfig tt() {
        return AdapterConfig.tt(3, 8).withModes(Map.of("down", List.of(8, 8, 8), "up", List.of(8, 8, 8)));
    }

    static AdapterConfig ttQ() {
        return tt().withModes(Map.of("down", List.of(8, 8, 8), "up", List.of(8, 8, 8), "delta", List.of(8, 8, 8, 8)))
                .withTtProjections(List.of("q_proj"));
    }

    static AdapterConfig lora() {
        return AdapterConfig.lora(8, List.of("q_proj", "v_proj")).withLoraAlpha(16);
    }

    /** The fixture's adapter weights, plus the classifier's score when there is a head. */
    static AdapterState fixture(Path dir, String file, NDList expected, boolean head) throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        if (file != null) {
            t.putAll(SafetensorsCodec.decode(Files.readAllBytes(dir.resolve(file))).tensors());
        }
        if (head) {
            NDArray score = expected.get("score.weight");
            long[] s = score.getShape().getShape();
            t.put("score.weight", new Tensor(new int[] {(int) s[0], (int) s[1]}, score.toFloatArray()));
        }
        return new AdapterState(t, Map.of());
    }

    static NDArray run(String name, NDManager m, AdapterConfig config, String file, int labels, NDList exp)
            throws Exception {
        LlamaModel base = LlamaGoldenTest.load(name, m, WeightPrecision.AUTO);
        AdapterLayout layout = AdapterLayout.of(base.modelConfig(labels), config);
        AdapterModel model = AdapterModel.attach(base, m, layout, AdapterInitializer.initialize(layout, 1),
                ClassificationHead.Pooling.MEAN);
        model.load(fixture(LlamaGoldenTest.FIXTURES.resolve(name), file, exp, labels > 0));
        ParameterStore ps = new ParameterStore(m, false);
        NDList in = new NDList(exp.get("input_ids"), exp.get("attention_mask"));
        if (labels > 0) {
            return model.logits(ps, in, false);
        }
        return base.lmLogits(ps, base.forward(ps, in, false).singletonOrThrow(), false);
    }

    static void check(String what, NDArray got, NDArray expected) {
        assertEquals(expected.getShape(), got.getShape(), what);
        float d = got.sub(expected).abs().max().getFloat();
        assertTrue(d < TOLERANCE, what + " differs from transformers by " + d);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama3", "tiny-qwen2", "tiny-mistral"})
    void adaptersAndHeadMatchTransformers(String name) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            NDList exp = LlamaGoldenTest.expected(name, m);
            check(name + " TT", run(name, m, tt(), "adapter-tt.safetensors", 0, exp), exp.get("logits_tt"));
            check(name + " TT delta on q", run(name, m, ttQ(), "adapter-tt-q.safetensors", 0, exp), exp.get("logits_tt_q"));
            check(name + " LoRA", run(name, m, lora(), "adapter-lora.safetensors", 0, exp), exp.get("logits_lora"));
            check(name + " classifier", run(name, m, tt(), null, 3, exp), exp.get("cls_logits"));
            check(name + " classifier + TT", run(name, m, tt(), "adapter-tt.safetensors", 3, exp), exp.get("cls_logits_tt"));
            check(name + " classifier + LoRA", run(name, m, lora(), "adapter-lora.safetensors", 3, exp),
                    exp.get("cls_logits_lora"));
        }
    }
}
