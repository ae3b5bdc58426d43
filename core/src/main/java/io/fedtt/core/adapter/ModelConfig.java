package io.fedtt.core.adapter;

/**
 * The shape of a pretrained transformer, as far as adapter layout and parameter accounting need it.
 * LLaMA is assumed without grouped-query attention and with untied input/output embeddings (true
 * of LLaMA-2-7B).
 *
 * @param maxPositions   learned position embeddings (BERT family); context length for LLaMA
 * @param typeVocabSize  token-type embeddings (BERT family; 0 for LLaMA)
 * @param numLabels      classification labels; 0 means no classification head
 */
public record ModelConfig(Family family, int hiddenSize, int numLayers, int intermediateSize, int numHeads,
                          int vocabSize, int maxPositions, int typeVocabSize, int numLabels) {

    public enum Family { BERT, LLAMA }

    public ModelConfig {
        if (family == null) {
            throw new IllegalArgumentException("model family is required (BERT or LLAMA)");
        }
        positive("hiddenSize", hiddenSize);
        positive("numLayers", numLayers);
        positive("intermediateSize", intermediateSize);
        positive("numHeads", numHeads);
        positive("vocabSize", vocabSize);
        positive("maxPositions", maxPositions);
        if (typeVocabSize < 0) {
            throw new IllegalArgumentException("typeVocabSize must be >= 0, got " + typeVocabSize);
        }
        if (numLabels < 0) {
            throw new IllegalArgumentException("numLabels must be >= 0, got " + numLabels);
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hiddenSize " + hiddenSize + " is not divisible by numHeads " + numHeads);
        }
    }

    /** sentence-transformers/all-MiniLM-L6-v2, the built-in model. */
    public static ModelConfig allMiniLmL6V2(int numLabels) {
        return new ModelConfig(Family.BERT, 384, 6, 1536, 12, 30522, 512, 2, numLabels);
    }

    /** roberta-base (FEDTT.md's reference counts). */
    public static ModelConfig robertaBase(int numLabels) {
        return new ModelConfig(Family.BERT, 768, 12, 3072, 12, 50265, 514, 1, numLabels);
    }

    /** meta-llama/Llama-2-7b, no classification head. */
    public static ModelConfig llama2_7b() {
        return new ModelConfig(Family.LLAMA, 4096, 32, 11008, 32, 32000, 4096, 0, 0);
    }

    public ModelConfig withNumLabels(int labels) {
        return new ModelConfig(family, hiddenSize, numLayers, intermediateSize, numHeads, vocabSize, maxPositions,
                typeVocabSize, labels);
    }

    public boolean hasHead() {
        return numLabels > 0;
    }

    private static void positive(String field, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, got " + v);
        }
    }
}
