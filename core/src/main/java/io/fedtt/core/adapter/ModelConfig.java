package io.fedtt.core.adapter;

/**
 * The shape of a pretrained transformer, as far as adapter layout and parameter accounting need it.
 *
 * @param numHeads           attention (query) heads; the head width is hiddenSize / numHeads
 * @param numKeyValueHeads   key/value heads (config.json num_key_value_heads): fewer than numHeads under
 *                           grouped-query attention (LLaMA-3, Mistral, Qwen2), equal to it otherwise; must
 *                           divide numHeads. BERT-family models have no grouped-query attention: equal to
 *                           numHeads
 * @param maxPositions       learned position embeddings (BERT family); context length for LLaMA
 * @param typeVocabSize      token-type embeddings (BERT family; 0 for LLaMA)
 * @param tieWordEmbeddings  LLaMA family: the LM head shares the input embedding matrix (config.json
 *                           tie_word_embeddings; Qwen2-0.5B, Llama-3.2-1B), so there is no separate
 *                           lm_head.weight. BERT-family layouts have no LM head and ignore it
 * @param attentionBias      LLaMA family: q_proj, k_proj and v_proj have biases (Qwen2; config.json
 *                           attention_bias for LLaMA). BERT-family layouts always have their biases and
 *                           ignore it
 * @param numLabels          classification labels; 0 means no classification head
 */
public record ModelConfig(Family family, int hiddenSize, int numLayers, int intermediateSize, int numHeads,
                          int numKeyValueHeads, int vocabSize, int maxPositions, int typeVocabSize,
                          boolean tieWordEmbeddings, boolean attentionBias, int numLabels) {

    public enum Family { BERT, LLAMA }

    public ModelConfig {
        if (family == null) {
            throw new IllegalArgumentException("model family is required (BERT or LLAMA)");
        }
        positive("hiddenSize", hiddenSize);
        positive("numLayers", numLayers);
        positive("intermediateSize", intermediateSize);
        positive("numHeads", numHeads);
        positive("numKeyValueHeads", numKeyValueHeads);
        positive("vocabSize", vocabSize);
        positive("maxPositions", maxPositions);
        if (typeVocabSize < 0) {
            throw new IllegalArgumentException("typeVocabSize must be >= 0, got " + typeVocabSize);
        }
        if (numLabels < 0) {
            throw new IllegalArgumentException("numLabels must be >= 0, got " + numLabels);
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hiddenSize " + hiddenSize + " is not divisible by numHeads "
                    + numHeads);
        }
        if (numHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("numHeads " + numHeads + " is not divisible by numKeyValueHeads "
                    + numKeyValueHeads);
        }
        if (family == Family.BERT && numKeyValueHeads != numHeads) {
            throw new IllegalArgumentException("numKeyValueHeads must equal numHeads (" + numHeads
                    + ") for a BERT model, got " + numKeyValueHeads + ": BERT has no grouped-query attention");
        }
        if (family == Family.LLAMA && typeVocabSize != 0) {
            throw new IllegalArgumentException("typeVocabSize must be 0 for a LLAMA model (it has no token-type"
                    + " embeddings), got " + typeVocabSize);
        }
    }

    /** A BERT-family encoder (no grouped-query attention; the LLaMA-only flags off). */
    public static ModelConfig bert(int hiddenSize, int numLayers, int intermediateSize, int numHeads, int vocabSize,
                                   int maxPositions, int typeVocabSize, int numLabels) {
        return new ModelConfig(Family.BERT, hiddenSize, numLayers, intermediateSize, numHeads, numHeads, vocabSize,
                maxPositions, typeVocabSize, false, false, numLabels);
    }

    /** A LLaMA-family decoder (LLaMA, Mistral, Qwen2), no classification head. */
    public static ModelConfig llama(int hiddenSize, int numLayers, int intermediateSize, int numHeads,
                                    int numKeyValueHeads, int vocabSize, int maxPositions, boolean tieWordEmbeddings,
                                    boolean attentionBias) {
        return new ModelConfig(Family.LLAMA, hiddenSize, numLayers, intermediateSize, numHeads, numKeyValueHeads,
                vocabSize, maxPositions, 0, tieWordEmbeddings, attentionBias, 0);
    }

    /** sentence-transformers/all-MiniLM-L6-v2, the built-in model. */
    public static ModelConfig allMiniLmL6V2(int numLabels) {
        return bert(384, 6, 1536, 12, 30522, 512, 2, numLabels);
    }

    /** roberta-base (FEDTT.md's reference counts). */
    public static ModelConfig robertaBase(int numLabels) {
        return bert(768, 12, 3072, 12, 50265, 514, 1, numLabels);
    }

    /** HuggingFaceTB/SmolLM2-135M-Instruct (builtin:smollm2-135m-instruct): 9 heads over 3 KV heads, tied. */
    public static ModelConfig smolLm2_135m() {
        return llama(576, 30, 1536, 9, 3, 49152, 8192, true, false);
    }

    /** meta-llama/Llama-2-7b: no grouped-query attention, untied embeddings; no classification head. */
    public static ModelConfig llama2_7b() {
        return llama(4096, 32, 11008, 32, 32, 32000, 4096, false, false);
    }

    /** meta-llama/Meta-Llama-3-8B: 8 key/value heads (grouped-query attention), untied; no classification head. */
    public static ModelConfig llama3_8b() {
        return llama(4096, 32, 14336, 32, 8, 128256, 8192, false, false);
    }

    public ModelConfig withNumLabels(int labels) {
        return new ModelConfig(family, hiddenSize, numLayers, intermediateSize, numHeads, numKeyValueHeads, vocabSize,
                maxPositions, typeVocabSize, tieWordEmbeddings, attentionBias, labels);
    }

    public boolean hasHead() {
        return numLabels > 0;
    }

    /** Width of one attention head: hiddenSize / numHeads. */
    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Output width of k_proj and v_proj: numKeyValueHeads x headDim (hiddenSize without grouped-query attention). */
    public int keyValueSize() {
        return numKeyValueHeads * headDim();
    }

    private static void positive(String field, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, got " + v);
        }
    }
}
