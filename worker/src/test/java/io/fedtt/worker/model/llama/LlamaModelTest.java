package io.fedtt.worker.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.ModelWeightsException;
import io.fedtt.worker.model.WeightPrecision;
import io.fedtt.worker.model.checkpoint.SafetensorsCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and running the decoder on random checkpoints: storage types, padding, strict loading. */
class LlamaModelTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        EngineSettings.fromEnvironment(System.getenv()).start();
    }

    static LlamaModel load(Path dir, NDManager m, WeightPrecision p) throws IOException {
        return LlamaWeights.load(LlamaConfig.read(dir.resolve("config.json")), SafetensorsCheckpoint.open(dir), m, p)
                .model();
    }

    static NDArray logits(LlamaModel model, NDManager m, long[][] rows) {
        int t = 0;
        for (long[] r : rows) {
            t = Math.max(t, r.length);
        }
        long[] ids = new long[rows.length * t];
        long[] mask = new long[rows.length * t];
        for (int b = 0; b < rows.length; b++) {
            for (int i = 0; i < rows[b].length; i++) {
                ids[b * t + i] = rows[b][i];
                mask[b * t + i] = 1;
            }
        }
        Shape s = new Shape(rows.length, t);
        ParameterStore ps = new ParameterStore(m, false);
        NDArray h = model.forward(ps, new NDList(m.create(ids, s), m.create(mask, s)), false).singletonOrThrow();
        return model.lmLogits(ps, h, false);
    }

    @Test
    void paddingChangesNothingAtRealPositions() throws Exception {
        ObjectNode cfg = TinyLlama.config(false);
        Path dir = TinyLlama.write(tmp.resolve("m"), cfg, TinyLlama.weights(LlamaConfig.fromJson(cfg), 1), DType.F32);
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = load(dir, m, WeightPrecision.AUTO);
            long[] a = {1, 5, 9, 12, 3, 40, 41};
            long[] b = {1, 7, 2};
            NDArray both = logits(model, m, new long[][] {a, b});
            NDArray alone = logits(model, m, new long[][] {b});
            float d = both.get("1, 0:3").sub(alone.get(0)).abs().max().getFloat();
            assertTrue(d < 1e-5f, "padded row differs by " + d);
        }
    }

    @Test
    void bf16CheckpointStays16BitAndMatchesItsFp32Upcast() throws Exception {
        ObjectNode cfg = TinyLlama.config(true);
        Map<String, Tensor> w = TinyLlama.weights(LlamaConfig.fromJson(cfg), 2);
        Path dir = TinyLlama.write(tmp.resolve("bf16"), cfg, w, DType.BF16);
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel kept = load(dir, m, WeightPrecision.AUTO);
            Map<String, ai.djl.nn.Parameter> params = kept.namedParameters();
            assertEquals(DataType.FLOAT16, params.get("model.layers.0.self_attn.q_proj.weight").getArray().getDataType());
            assertEquals(DataType.FLOAT16, params.get("model.embed_tokens.weight").getArray().getDataType());
            assertEquals(DataType.FLOAT32, params.get("model.norm.weight").getArray().getDataType(), "1-D stays fp32");
            LlamaModel upcast = load(dir, m, WeightPrecision.FLOAT32);
            assertEquals(DataType.FLOAT32, upcast.namedParameters().get("model.embed_tokens.weight").getArray().getDataType());
            long[][] rows = {{1, 2, 3, 4, 5}, {6, 7}};
            float d = logits(kept, m, rows).sub(logits(upcast, m, rows)).abs().max().getFloat();
            assertTrue(d < 1e-5f, "bf16 storage computed in fp32 differs from the fp32 upcast by " + d);
        }
    }

    @Test
    void strictLoadingNamesEveryTensorAtFault() throws Exception {
        ObjectNode cfg = TinyLlama.config(false);
        Map<String, Tensor> w = new LinkedHashMap<>(TinyLlama.weights(LlamaConfig.fromJson(cfg), 3));
        w.remove("model.layers.1.mlp.up_proj.weight");
        w.put("model.layers.0.self_attn.k_proj.weight", Tensor.zeros(new int[] {32, 32}));
        w.put("model.layers.0.self_attn.rotary_emb.inv_freq", Tensor.zeros(new int[] {4}));
        w.put("model.extra.weight", Tensor.zeros(new int[] {2}));
        Path dir = TinyLlama.write(tmp.resolve("bad"), cfg, w, DType.F32);
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeightsException e = assertThrows(ModelWeightsException.class, () -> load(dir, m, WeightPrecision.AUTO));
            assertEquals(3, e.problems().size(), e.getMessage());
            assertTrue(e.getMessage().contains("missing tensor 'model.layers.1.mlp.up_proj.weight'"), e.getMessage());
            assertTrue(e.getMessage().contains("'model.layers.0.self_attn.k_proj.weight' has shape [32, 32], expected [16, 32]"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("unexpected tensor 'model.extra.weight'"), e.getMessage());
        }
    }

    @Test
    void shardedCheckpointLoadsAndABrokenIndexIsNamed() throws Exception {
        ObjectNode cfg = TinyLlama.config(false);
        Map<String, Tensor> w = TinyLlama.weights(LlamaConfig.fromJson(cfg), 4);
        Map<String, Tensor> first = new LinkedHashMap<>();
        Map<String, Tensor> second = new LinkedHashMap<>();
        StringBuilder map = new StringBuilder();
        int i = 0;
        for (Map.Entry<String, Tensor> e : w.entrySet()) {
            boolean one = i++ % 2 == 0;
            (one ? first : second).put(e.getKey(), e.getValue());
            map.append(map.length() == 0 ? "" : ",").append('"').append(e.getKey()).append("\":\"")
                    .append(one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
        }
        Path dir = tmp.resolve("sharded");
        TinyLlama.write(dir, cfg, first, DType.F32);
        Files.move(dir.resolve("model.safetensors"), dir.resolve("model-00001-of-00002.safetensors"));
        TinyLlama.write(tmp.resolve("s2"), cfg, second, DType.F16);
        Files.move(tmp.resolve("s2/model.safetensors"), dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{" + map + "}}");
        try (NDManager m = NDManager.newBaseManager()) {
            LlamaModel model = load(dir, m, WeightPrecision.AUTO);
            assertEquals(w.size(), model.namedParameters().size());
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\":{\"model.norm.weight\":\"../elsewhere.safetensors\"}}");
        IOException e = assertThrows(IOException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("weight_map.model.norm.weight must name a .safetensors file in the same folder"),
                e.getMessage());
    }
}
