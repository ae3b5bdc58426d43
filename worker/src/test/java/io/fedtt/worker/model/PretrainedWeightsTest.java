package io.fedtt.worker.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.HalfPrecision;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.bert.BertParameterShapes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainedWeightsTest {

    static NDManager manager;
    static final BertConfig CONFIG = TinyBert.config();

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void namedParametersAreExactlyTheHuggingFaceNamesAndShapes() {
        var built = PretrainedModel.build(CONFIG, TinyBert.randomWeights(CONFIG, 1), manager, "test");
        Map<String, Parameter> params = built.encoder().namedParameters();
        Map<String, int[]> expected = BertParameterShapes.of(CONFIG);
        assertEquals(expected.keySet(), params.keySet());
        expected.forEach((name, shape) -> assertArrayEquals(
                java.util.Arrays.stream(shape).asLongStream().toArray(),
                params.get(name).getArray().getShape().getShape(), name));
        assertEquals(BertParameterShapes.parameterCount(CONFIG), built.report().parameters());
    }

    @Test
    void loadedValuesAreTheCheckpointValues() {
        Map<String, Tensor> w = TinyBert.randomWeights(CONFIG, 2);
        var built = PretrainedModel.build(CONFIG, w, manager, "test");
        String name = "encoder.layer.1.attention.self.value.weight";
        assertArrayEquals(w.get(name).data(), built.encoder().namedParameters().get(name).getArray().toFloatArray());
    }

    @Test
    void missingTensorIsNamedWithItsExpectedShape() {
        Map<String, Tensor> w = TinyBert.randomWeights(CONFIG, 3);
        w.remove("encoder.layer.0.intermediate.dense.weight");
        ModelWeightsException e = assertThrows(ModelWeightsException.class,
                () -> PretrainedModel.build(CONFIG, w, manager, "model.safetensors"));
        assertEquals(List.of("missing tensor 'encoder.layer.0.intermediate.dense.weight' (expected shape [16, 8])"),
                e.problems());
        assertTrue(e.getMessage().startsWith("model.safetensors: 1 weight problem(s)"), e.getMessage());
    }

    @Test
    void unexpectedTensorIsNamedButKnownHeadsAreIgnored() {
        Map<String, Tensor> w = TinyBert.randomWeights(CONFIG, 4);
        w.put("pooler.dense.weight", Tensor.zeros(8, 8));
        w.put("encoder.layer.7.output.dense.weight", Tensor.zeros(8, 16));
        ModelWeightsException e = assertThrows(ModelWeightsException.class,
                () -> PretrainedModel.build(CONFIG, w, manager, "test"));
        assertEquals(List.of("unexpected tensor 'encoder.layer.7.output.dense.weight' [8, 16]"), e.problems());
        w.remove("encoder.layer.7.output.dense.weight");
        var built = PretrainedModel.build(CONFIG, w, manager, "test");
        assertEquals(List.of("pooler.dense.weight"), built.report().ignored());
    }

    @Test
    void misShapedTensorNamesExpectedAndFoundShapes() {
        Map<String, Tensor> w = TinyBert.randomWeights(CONFIG, 5);
        w.put("encoder.layer.0.attention.self.query.weight", Tensor.zeros(8, 4));
        ModelWeightsException e = assertThrows(ModelWeightsException.class,
                () -> PretrainedModel.build(CONFIG, w, manager, "test"));
        assertEquals(List.of("tensor 'encoder.layer.0.attention.self.query.weight' has shape [8, 4], expected [8, 8]"),
                e.problems());
    }

    @Test
    void taskModelPrefixAndLegacyLayerNormNamesAreAccepted() {
        Map<String, Tensor> w = new LinkedHashMap<>();
        TinyBert.randomWeights(CONFIG, 6).forEach((k, v) -> w.put("bert." + k
                .replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta"), v));
        w.put("cls.predictions.bias", Tensor.zeros(30522));
        var built = PretrainedModel.build(CONFIG, w, manager, "test");
        assertEquals(List.of("cls.predictions.bias"), built.report().ignored());
    }

    @Test
    void bf16CheckpointIsConvertedInJavaAndLoads(@TempDir Path tmp) throws IOException {
        Map<String, Tensor> w = TinyBert.randomWeights(CONFIG, 7);
        Path dir = TinyBert.writeDir(tmp.resolve("m"), CONFIG, w, DType.BF16);
        try (PretrainedModel model = PretrainedModel.load(dir, 16)) {
            String name = "embeddings.LayerNorm.weight";
            float[] loaded = model.backbone().namedParameters().get(name).getArray().toFloatArray();
            float[] original = w.get(name).data();
            for (int i = 0; i < loaded.length; i++) {
                assertEquals(HalfPrecision.fromBf16(HalfPrecision.toBf16(original[i])), loaded[i], 0f, name + "[" + i + "]");
            }
            try (NDManager scope = model.manager().newSubManager()) {
                var out = model.forward(scope, List.of("hello world", "a longer sentence here")).singletonOrThrow();
                assertEquals(8, out.getShape().get(2));
            }
        }
    }

    @Test
    void integerPositionIdsBufferOfOldCheckpointsIsDropped(@TempDir Path tmp) throws IOException {
        Map<String, Tensor> w = TinyBert.randomWeights(CONFIG, 9);
        Path dir = TinyBert.writeDir(tmp.resolve("m"), CONFIG, w, DType.F32);
        Path file = dir.resolve("model.safetensors");
        java.nio.file.Files.write(file, withInt64(java.nio.file.Files.readAllBytes(file), "embeddings.position_ids"));
        try (PretrainedModel model = PretrainedModel.load(dir, 16)) {
            String name = "encoder.layer.1.output.dense.weight";
            assertArrayEquals(w.get(name).data(), model.backbone().namedParameters().get(name).getArray().toFloatArray());
        }
        java.nio.file.Files.write(file, withInt64(io.fedtt.core.tensor.SafetensorsCodec.encode(new io.fedtt.core.tensor.AdapterState(w), DType.F32), "embeddings.word_ids"));
        IOException e = assertThrows(IOException.class, () -> PretrainedModel.load(dir, 16));
        assertTrue(e.getMessage().contains("tensor 'embeddings.word_ids' has dtype I64"), e.getMessage());
    }

    /** Appends an I64 [1, 4] tensor (0..3) to a safetensors file, placed first in the data buffer. */
    static byte[] withInt64(byte[] file, String name) throws IOException {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var bb = java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int n = (int) bb.getLong();
        var header = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(new String(file, 8, n,
                java.nio.charset.StandardCharsets.UTF_8));
        header.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("__metadata__")) {
                var off = e.getValue().get("data_offsets");
                ((com.fasterxml.jackson.databind.node.ObjectNode) e.getValue()).putArray("data_offsets")
                        .add(off.get(0).asLong() + 32).add(off.get(1).asLong() + 32);
            }
        });
        var t = header.putObject(name);
        t.put("dtype", "I64");
        t.putArray("shape").add(1).add(4);
        t.putArray("data_offsets").add(0).add(32);
        byte[] h = json.writeValueAsBytes(header);
        var out = java.nio.ByteBuffer.allocate(8 + h.length + 32 + file.length - 8 - n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h);
        for (long i = 0; i < 4; i++) {
            out.putLong(i);
        }
        out.put(file, 8 + n, file.length - 8 - n);
        return out.array();
    }

    @Test
    void missingFileInModelDirectoryIsNamed(@TempDir Path tmp) throws IOException {
        Path dir = TinyBert.writeDir(tmp.resolve("m"), CONFIG, TinyBert.randomWeights(CONFIG, 8), DType.F32);
        java.nio.file.Files.delete(dir.resolve("tokenizer.json"));
        IOException e = assertThrows(IOException.class, () -> PretrainedModel.load(dir, 16));
        assertTrue(e.getMessage().contains("has no tokenizer.json"), e.getMessage());
    }
}
