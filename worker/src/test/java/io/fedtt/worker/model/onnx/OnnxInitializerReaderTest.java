package io.fedtt.worker.model.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OnnxInitializerReaderTest {

    /** A graph with a MatMul weight [in=2, out=3] under an exporter name, a named bias, and an INT64 buffer. */
    static byte[] smallModel() {
        ProtoWriter matmul = new ProtoWriter()
                .string(1, "/embeddings/LayerNorm/Add_1_output_0")
                .string(1, "onnx::MatMul_7")
                .string(2, "/encoder/layer.0/attention/self/query/MatMul_output_0")
                .string(3, "/encoder/layer.0/attention/self/query/MatMul")
                .string(4, "MatMul");
        ProtoWriter add = new ProtoWriter()
                .string(1, "encoder.layer.0.attention.self.query.bias")
                .string(1, "/encoder/layer.0/attention/self/query/MatMul_output_0")
                .string(2, "out")
                .string(3, "/encoder/layer.0/attention/self/query/Add")
                .string(4, "Add");
        ProtoWriter weight = new ProtoWriter() // packed dims, raw_data
                .packedVarints(1, 2, 3)
                .varint(2, 1)
                .string(8, "onnx::MatMul_7")
                .bytes(9, ProtoWriter.floatsLe(1, 2, 3, 4, 5, 6));
        ProtoWriter bias = new ProtoWriter() // unpacked dim, float_data unpacked and packed
                .varint(1, 3)
                .varint(2, 1)
                .fixed32Float(4, 0.5f)
                .bytes(4, ProtoWriter.floatsLe(-1f, 7f))
                .string(8, "encoder.layer.0.attention.self.query.bias");
        ProtoWriter ids = new ProtoWriter().packedVarints(1, 1, 4).varint(2, 7).string(8, "embeddings.position_ids");
        ProtoWriter graph = new ProtoWriter().message(1, matmul).message(1, add)
                .string(2, "main_graph")
                .message(5, weight).message(5, bias).message(5, ids);
        return new ProtoWriter().varint(1, 8).string(2, "pytorch").message(7, graph).toByteArray();
    }

    @Test
    void readsFloatInitializersAndNodes() {
        OnnxGraph g = OnnxInitializerReader.read(ByteBuffer.wrap(smallModel()));
        assertEquals(List.of("onnx::MatMul_7", "encoder.layer.0.attention.self.query.bias"),
                List.copyOf(g.initializers().keySet()));
        assertArrayEquals(new int[] {2, 3}, g.initializers().get("onnx::MatMul_7").shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, g.initializers().get("onnx::MatMul_7").data());
        assertArrayEquals(new float[] {0.5f, -1f, 7f}, g.initializers().get("encoder.layer.0.attention.self.query.bias").data());
        assertEquals(java.util.Set.of("embeddings.position_ids"), g.skippedInitializers());
        assertEquals(2, g.nodes().size());
        assertEquals("MatMul", g.nodes().get(0).opType());
        assertEquals(List.of("/encoder/layer.0/attention/self/query/MatMul_output_0"), g.nodes().get(0).outputs());
    }

    @Test
    void matMulWeightsGetTheirModuleNameAndAreTransposedToOutIn() {
        Map<String, Tensor> hf = OnnxToHuggingFace.convert(OnnxInitializerReader.read(ByteBuffer.wrap(smallModel())));
        Tensor w = hf.get("encoder.layer.0.attention.self.query.weight");
        assertArrayEquals(new int[] {3, 2}, w.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, w.data());
        assertTrue(hf.containsKey("encoder.layer.0.attention.self.query.bias"));
        assertEquals(2, hf.size());
    }

    @Test
    void truncatedFileNamesOffsetAndField() {
        byte[] full = smallModel();
        for (int cut : new int[] {full.length - 1, full.length / 2, 20}) {
            byte[] part = Arrays.copyOf(full, cut);
            OnnxFormatException e = assertThrows(OnnxFormatException.class,
                    () -> OnnxInitializerReader.read(ByteBuffer.wrap(part)));
            assertTrue(e.getMessage().matches(".*offset \\d+.*"), e.getMessage());
            assertTrue(e.getMessage().contains("ModelProto.graph") || e.getMessage().contains("ModelProto"), e.getMessage());
        }
    }

    @Test
    void rawDataOfTheWrongSizeNamesTheInitializer() {
        ProtoWriter bad = new ProtoWriter().packedVarints(1, 2, 2).varint(2, 1).string(8, "w")
                .bytes(9, ProtoWriter.floatsLe(1, 2, 3));
        byte[] model = new ProtoWriter().message(7, new ProtoWriter().message(5, bad)).toByteArray();
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxInitializerReader.read(ByteBuffer.wrap(model)));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("raw_data has 12 bytes"), e.getMessage());
    }

    @Test
    void fileWithoutGraphIsRejected() {
        byte[] model = new ProtoWriter().varint(1, 8).toByteArray();
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxInitializerReader.read(ByteBuffer.wrap(model)));
        assertTrue(e.getMessage().contains("no graph"), e.getMessage());
    }

    @Test
    void unmappableExporterNameIsRejected() {
        ProtoWriter t = new ProtoWriter().varint(1, 2).varint(2, 1).string(8, "onnx::Add_3").bytes(9, ProtoWriter.floatsLe(1, 2));
        byte[] model = new ProtoWriter().message(7, new ProtoWriter().message(5, t)).toByteArray();
        OnnxFormatException e = assertThrows(OnnxFormatException.class,
                () -> OnnxToHuggingFace.convert(OnnxInitializerReader.read(ByteBuffer.wrap(model))));
        assertTrue(e.getMessage().contains("onnx::Add_3"), e.getMessage());
    }

    @Test
    void randomBytesFailWithOnnxFormatExceptionOnly() {
        Random r = new Random(42);
        byte[] valid = smallModel();
        for (int i = 0; i < 2000; i++) {
            byte[] b = valid.clone();
            for (int k = 0; k < 1 + r.nextInt(4); k++) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            try {
                OnnxInitializerReader.read(ByteBuffer.wrap(b));
            } catch (OnnxFormatException expected) {
                // fine: a clear error
            }
        }
    }
}
