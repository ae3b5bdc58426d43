package io.fedtt.worker.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.worker.nn.AdaptableLinear;
import io.fedtt.worker.nn.AdapterSlot;
import io.fedtt.worker.nn.NamedParameters;
import java.util.Map;

/**
 * A pretrained transformer an adapter layout attaches to, whatever its family: it maps
 * (input_ids, attention_mask[, token_type_ids]) to hidden states [B,T,H], names its parameters as
 * Hugging Face does, and finds the places a layout names: a TT adapter's slot by the adapter's
 * prefix, a projection (for LoRA and TT deltas) by its module path.
 */
public interface Backbone extends Block, NamedParameters {

    ModelConfig.Family family();

    /** The core's description of this model, for laying out adapters and checking that a layout fits. */
    ModelConfig modelConfig(int numLabels);

    /**
     * The slot a TT adapter named {@code prefix} sits in (BERT {@code encoder.layer.3.output.adapter},
     * LLaMA {@code model.layers.3.mlp.gate_proj.input_adapter}).
     *
     * @throws IllegalArgumentException naming the prefix when this model has no such place
     */
    AdapterSlot adapterSlot(String prefix);

    /**
     * A projection by its module path (BERT {@code encoder.layer.3.attention.self.query}, LLaMA
     * {@code model.layers.3.self_attn.q_proj}).
     *
     * @throws IllegalArgumentException naming the module when this model has no such projection
     */
    AdaptableLinear projection(String module);

    /** Every parameter under its Hugging Face name, base weights and attached adapters alike. */
    Map<String, Parameter> namedParameters();

    /** Dropout a classification head applies to the pooled features (0 for none). */
    float headDropout();
}
