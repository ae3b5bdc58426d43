package io.fedtt.worker.model.onnx;

import java.util.List;

/** One node of an ONNX graph: enough to see which initializer feeds which operator. */
public record OnnxNode(String name, String opType, List<String> inputs, List<String> outputs) {

    public OnnxNode {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
