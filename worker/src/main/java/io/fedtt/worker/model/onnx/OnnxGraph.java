package io.fedtt.worker.model.onnx;

import io.fedtt.core.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@link OnnxInitializerReader} extracts from a model: its FP32 initializers by name (file
 * order), the names of initializers of other element types (skipped), and the graph's nodes.
 */
public record OnnxGraph(Map<String, Tensor> initializers, Set<String> skippedInitializers, List<OnnxNode> nodes) {

    public OnnxGraph {
        initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        skippedInitializers = Collections.unmodifiableSet(new TreeSet<>(skippedInitializers));
        nodes = List.copyOf(nodes);
    }

    /** The nodes that read the given value as an input. */
    public List<OnnxNode> consumersOf(String valueName) {
        return nodes.stream().filter(n -> n.inputs().contains(valueName)).toList();
    }
}
