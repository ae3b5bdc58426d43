package io.fedtt.worker.model.onnx;

import io.fedtt.core.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A minimal reader of the ONNX protobuf (onnx.proto3) that keeps only what weight import needs:
 * the graph's FP32 initializers (dims + raw_data or float_data) and its nodes (name, op_type,
 * inputs, outputs). No protobuf library: the few field numbers used are listed below.
 */
public final class OnnxInitializerReader {

    // ModelProto
    private static final int MODEL_GRAPH = 7;
    // GraphProto
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    // NodeProto
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    // TensorProto
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_FLOAT_DATA = 4;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_DATA_LOCATION = 14;
    private static final int DATA_TYPE_FLOAT = 1;
    private static final int DATA_LOCATION_EXTERNAL = 1;

    private OnnxInitializerReader() {
    }

    public static OnnxGraph read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new OnnxFormatException(file + " is larger than 2 GiB; external-data ONNX files are not supported");
            }
            return read(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
        }
    }

    public static OnnxGraph read(InputStream in) throws IOException {
        return read(ByteBuffer.wrap(in.readAllBytes()));
    }

    public static OnnxGraph read(ByteBuffer model) {
        ProtoCursor m = new ProtoCursor(model, 0, "ModelProto");
        OnnxGraph graph = null;
        while (m.hasRemaining()) {
            int tag = m.readTag();
            if (tag >>> 3 == MODEL_GRAPH && (tag & 7) == ProtoCursor.LENGTH_DELIMITED) {
                graph = readGraph(m.readMessage("ModelProto.graph"));
            } else {
                m.skip(tag & 7, tag >>> 3);
            }
        }
        if (graph == null) {
            throw new OnnxFormatException("malformed ONNX: ModelProto has no graph (field 7)");
        }
        return graph;
    }

    private static OnnxGraph readGraph(ProtoCursor g) {
        Map<String, Tensor> floats = new LinkedHashMap<>();
        Set<String> skipped = new LinkedHashSet<>();
        List<OnnxNode> nodes = new ArrayList<>();
        while (g.hasRemaining()) {
            int tag = g.readTag();
            int field = tag >>> 3;
            int wire = tag & 7;
            if (field == GRAPH_NODE && wire == ProtoCursor.LENGTH_DELIMITED) {
                nodes.add(readNode(g.readMessage("GraphProto.node[" + nodes.size() + "]")));
            } else if (field == GRAPH_INITIALIZER && wire == ProtoCursor.LENGTH_DELIMITED) {
                long at = g.offset();
                int index = floats.size() + skipped.size();
                readInitializer(g.readMessage("GraphProto.initializer[" + index + "]"), at, floats, skipped);
            } else {
                g.skip(wire, field);
            }
        }
        return new OnnxGraph(floats, skipped, nodes);
    }

    private static OnnxNode readNode(ProtoCursor n) {
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        String name = "";
        String opType = "";
        while (n.hasRemaining()) {
            int tag = n.readTag();
            int field = tag >>> 3;
            int wire = tag & 7;
            if (wire != ProtoCursor.LENGTH_DELIMITED) {
                n.skip(wire, field);
                continue;
            }
            switch (field) {
                case NODE_INPUT -> inputs.add(n.readString("NodeProto.input"));
                case NODE_OUTPUT -> outputs.add(n.readString("NodeProto.output"));
                case NODE_NAME -> name = n.readString("NodeProto.name");
                case NODE_OP_TYPE -> opType = n.readString("NodeProto.op_type");
                default -> n.skip(wire, field);
            }
        }
        return new OnnxNode(name, opType, inputs, outputs);
    }

    private static void readInitializer(ProtoCursor t, long at, Map<String, Tensor> floats, Set<String> skipped) {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = null;
        ByteBuffer raw = null;
        List<Float> floatData = new ArrayList<>();
        boolean external = false;
        while (t.hasRemaining()) {
            int tag = t.readTag();
            int field = tag >>> 3;
            int wire = tag & 7;
            switch (field) {
                case TENSOR_DIMS -> readInt64s(t, wire, dims);
                case TENSOR_DATA_TYPE -> dataType = (int) t.readVarint();
                case TENSOR_NAME -> name = t.readString("TensorProto.name");
                case TENSOR_RAW_DATA -> raw = t.readBytes("TensorProto.raw_data");
                case TENSOR_FLOAT_DATA -> readFloats(t, wire, floatData);
                case TENSOR_DATA_LOCATION -> external = t.readVarint() == DATA_LOCATION_EXTERNAL;
                default -> t.skip(wire, field);
            }
        }
        String label = name == null ? "initializer at offset " + at : "initializer '" + name + "' at offset " + at;
        if (name == null || name.isEmpty()) {
            throw new OnnxFormatException("malformed ONNX: " + label + " has no name (field 8)");
        }
        if (dataType != DATA_TYPE_FLOAT) {
            skipped.add(name);
            return;
        }
        if (external) {
            throw new OnnxFormatException(label + " keeps its data in an external file; not supported");
        }
        int[] shape = new int[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = dims.get(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new OnnxFormatException("malformed ONNX: " + label + " has dimension " + d);
            }
            shape[i] = (int) d;
            count = d == 0 ? 0 : count * d;
            if (count > Integer.MAX_VALUE) {
                throw new OnnxFormatException("malformed ONNX: " + label + " dims " + dims + " exceed 2^31 elements");
            }
        }
        // Sizes are checked against the bytes actually present before anything is allocated.
        float[] data;
        if (raw != null) {
            if (raw.remaining() != count * 4L) {
                throw new OnnxFormatException("malformed ONNX: " + label + " raw_data has " + raw.remaining()
                        + " bytes, dims " + Arrays.toString(shape) + " need " + count * 4L);
            }
            data = new float[(int) count];
            raw.asFloatBuffer().get(data);
        } else {
            if (floatData.size() != count) {
                throw new OnnxFormatException("malformed ONNX: " + label + " float_data has " + floatData.size()
                        + " values, dims " + Arrays.toString(shape) + " need " + count);
            }
            data = new float[(int) count];
            for (int i = 0; i < data.length; i++) {
                data[i] = floatData.get(i);
            }
        }
        if (floats.put(name, new Tensor(shape, data)) != null) {
            throw new OnnxFormatException("malformed ONNX: two initializers named '" + name + "'");
        }
    }

    private static void readInt64s(ProtoCursor t, int wire, List<Long> out) {
        if (wire == ProtoCursor.VARINT) {
            out.add(t.readVarint());
        } else if (wire == ProtoCursor.LENGTH_DELIMITED) {
            ProtoCursor packed = t.readMessage("TensorProto.dims");
            while (packed.hasRemaining()) {
                out.add(packed.readVarint());
            }
        } else {
            throw t.error("TensorProto.dims has wire type " + wire);
        }
    }

    private static void readFloats(ProtoCursor t, int wire, List<Float> out) {
        if (wire == ProtoCursor.FIXED32) {
            out.add(t.readFloat());
        } else if (wire == ProtoCursor.LENGTH_DELIMITED) {
            ProtoCursor packed = t.readMessage("TensorProto.float_data");
            while (packed.hasRemaining()) {
                out.add(packed.readFloat());
            }
        } else {
            throw t.error("TensorProto.float_data has wire type " + wire);
        }
    }
}
