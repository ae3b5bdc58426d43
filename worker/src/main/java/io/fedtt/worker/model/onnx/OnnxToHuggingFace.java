package io.fedtt.worker.model.onnx;

import io.fedtt.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renames the initializers of a Hugging Face model exported to ONNX back to Hugging Face
 * parameter names. The exporter keeps names for biases, LayerNorms and embeddings, but stores each
 * Linear weight pre-transposed ([in, out]) as an anonymous {@code onnx::MatMul_N} initializer; its
 * name is recovered from the consuming MatMul node ({@code /encoder/layer.0/attention/self/query/MatMul}
 * -> {@code encoder.layer.0.attention.self.query.weight}) and the matrix transposed back to [out, in].
 */
public final class OnnxToHuggingFace {

    private OnnxToHuggingFace() {
    }

    public static Map<String, Tensor> convert(OnnxGraph graph) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            List<OnnxNode> matmuls = graph.consumersOf(name).stream()
                    .filter(n -> n.opType().equals("MatMul") && n.inputs().size() == 2 && n.inputs().get(1).equals(name))
                    .toList();
            if (!matmuls.isEmpty()) {
                if (matmuls.size() > 1) {
                    throw new OnnxFormatException("initializer '" + name + "' is the weight of " + matmuls.size()
                            + " MatMul nodes; cannot give it one name");
                }
                if (t.rank() != 2) {
                    throw new OnnxFormatException("MatMul weight '" + name + "' has rank " + t.rank() + ", expected 2");
                }
                put(out, linearWeightName(matmuls.get(0), name), transpose(t));
            } else if (name.contains("::") || name.contains("/")) {
                throw new OnnxFormatException("initializer '" + name + "' has an exporter-generated name and no "
                        + "MatMul consumer; cannot map it to a Hugging Face name");
            } else {
                put(out, name, t);
            }
        }
        return out;
    }

    /** "/encoder/layer.0/attention/self/query/MatMul" -> "encoder.layer.0.attention.self.query.weight". */
    static String linearWeightName(OnnxNode node, String initializer) {
        String path = node.name();
        int cut = path.lastIndexOf('/');
        if (!path.startsWith("/") || cut <= 0) {
            throw new OnnxFormatException("MatMul node '" + path + "' (weight '" + initializer
                    + "') does not carry a module path like /encoder/layer.0/attention/self/query/MatMul");
        }
        return path.substring(1, cut).replace('/', '.') + ".weight";
    }

    static Tensor transpose(Tensor t) {
        int rows = t.dim(0);
        int cols = t.dim(1);
        float[] src = t.data();
        float[] dst = new float[src.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = src[r * cols + c];
            }
        }
        return new Tensor(new int[] {cols, rows}, dst);
    }

    private static void put(Map<String, Tensor> out, String name, Tensor t) {
        if (out.put(name, t) != null) {
            throw new OnnxFormatException("two initializers map to the Hugging Face name '" + name + "'");
        }
    }
}
