package io.fedtt.worker.model;

/**
 * A parameter or module path inside one transformer layer: {@code encoder.layer.3.output.adapter}
 * is layer 3, rest {@code output.adapter} under the prefix {@code encoder.layer.}.
 */
public record LayerPath(int layer, String rest) {

    /** The path of {@code name} under {@code prefix}, or null when it is not "prefix.N.rest" with N < layers. */
    public static LayerPath parse(String name, String prefix, int layers) {
        if (!name.startsWith(prefix)) {
            return null;
        }
        String tail = name.substring(prefix.length());
        int dot = tail.indexOf('.');
        if (dot < 1 || dot == tail.length() - 1) {
            return null;
        }
        int layer;
        try {
            layer = Integer.parseInt(tail.substring(0, dot));
        } catch (NumberFormatException e) {
            return null;
        }
        return layer >= 0 && layer < layers ? new LayerPath(layer, tail.substring(dot + 1)) : null;
    }
}
