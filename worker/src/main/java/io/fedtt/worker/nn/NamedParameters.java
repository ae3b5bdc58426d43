package io.fedtt.worker.nn;

import ai.djl.nn.Parameter;
import java.util.Map;

/**
 * A block that can list its parameters under stable, Hugging Face-style dotted names
 * ({@code encoder.layer.0.attention.self.query.weight}). DJL's own names carry child indices and
 * change with the block tree; these names are what checkpoints, adapters and masks use.
 */
public interface NamedParameters {

    /** Adds every parameter of this block (and its children) to {@code out} under {@code prefix + name}. */
    void collectParameters(String prefix, Map<String, Parameter> out);
}
