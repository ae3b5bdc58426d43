package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.worker.model.TextTokenizer;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * What local training and evaluation need from a model: a frozen pretrained transformer with an
 * adapter, either a sequence classifier (with a head; {@link #numLabels()} >= 2) or a causal
 * language model ({@link #numLabels()} = 0), whose adapter tensors are named, loaded from and
 * exported to an {@link AdapterState}. Training decides which parameters get gradients; the model
 * only has to name them. Not thread-safe: one round at a time per instance.
 */
public interface TrainableModel {

    /** Classification labels; 0 for a causal language model. */
    int numLabels();

    /** True for a causal language model (no labels: it predicts the next token). */
    default boolean causalLm() {
        return numLabels() == 0;
    }

    /** The end-of-sequence token a causal language model stops at (and appends to responses); -1 for a classifier. */
    default long eosTokenId() {
        return -1;
    }

    /** Greedy continuations of a batch of token-id prompts (a causal language model only). */
    default java.util.List<long[]> generate(java.util.List<long[]> prompts, int maxNewTokens) {
        throw new UnsupportedOperationException("this model does not generate text");
    }

    /** Tokenizes with the model's vocabulary, truncating at the max sequence length, padding per batch. */
    TextTokenizer tokenizer();

    /** Where the parameters live; per-step arrays are made in sub-managers of it. */
    NDManager manager();

    /**
     * Logits for (input_ids, attention_mask, token_type_ids): [batch, numLabels] for a classifier,
     * next-token logits [batch, length, vocabulary] for a causal language model.
     *
     * @param training true to apply dropout
     */
    NDArray logits(ParameterStore ps, NDList inputs, boolean training);

    /** Every parameter by its Hugging Face-style name: base weights, adapter and head. */
    Map<String, Parameter> parameters();

    /** The tensors an adapter state of this model holds (a subset of {@link #parameters()}' names). */
    Set<String> adapterNames();

    /** The adapter tensors that belong to the classification head (they may train at their own rate). */
    default Set<String> headNames() {
        return Set.of();
    }

    /** Sets the adapter tensors present in {@code state}; names it does not know are an error. */
    void load(AdapterState state);

    /** The current values of the named adapter tensors. */
    AdapterState export(Collection<String> names);
}
