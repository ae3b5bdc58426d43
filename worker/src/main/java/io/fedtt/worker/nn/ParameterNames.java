package io.fedtt.worker.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.util.LinkedHashMap;
import java.util.Map;

/** Hugging Face names for DJL's built-in blocks, and a collector over {@link NamedParameters}. */
public final class ParameterNames {

    private ParameterNames() {
    }

    public static Map<String, Parameter> of(NamedParameters root) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        root.collectParameters("", out);
        return out;
    }

    /** Linear: DJL's weight is [out, in] like PyTorch's, so the names map one to one. */
    public static void linear(String prefix, Linear linear, Map<String, Parameter> out) {
        add(out, prefix + "weight", linear.getDirectParameters().get("weight"));
        Parameter bias = linear.getDirectParameters().get("bias");
        if (bias != null) {
            add(out, prefix + "bias", bias);
        }
    }

    /** LayerNorm: DJL's gamma/beta are PyTorch's weight/bias. */
    public static void layerNorm(String prefix, LayerNorm norm, Map<String, Parameter> out) {
        add(out, prefix + "weight", norm.getDirectParameters().get("gamma"));
        add(out, prefix + "bias", norm.getDirectParameters().get("beta"));
    }

    /** Any block: through {@link NamedParameters}, or by its DJL parameter names for leaf blocks. */
    public static void block(String prefix, Block block, Map<String, Parameter> out) {
        if (block instanceof NamedParameters named) {
            named.collectParameters(prefix, out);
        } else if (block instanceof Linear linear) {
            linear(prefix, linear, out);
        } else if (block instanceof LayerNorm norm) {
            layerNorm(prefix, norm, out);
        } else if (block.getChildren().isEmpty()) {
            block.getDirectParameters().forEach(p -> add(out, prefix + p.getKey(), p.getValue()));
        } else {
            throw new IllegalArgumentException(block.getClass().getName() + " at '" + prefix
                    + "' has child blocks but does not implement NamedParameters");
        }
    }

    /** Adds one named parameter; a second parameter under the same name is a bug. */
    public static void add(Map<String, Parameter> out, String name, Parameter p) {
        if (out.put(name, p) != null) {
            throw new IllegalStateException("two parameters named '" + name + "'");
        }
    }
}
