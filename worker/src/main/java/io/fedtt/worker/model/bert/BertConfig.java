package io.fedtt.worker.model.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.model.HfConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The fields of a Hugging Face {@code config.json} that a BERT-family encoder needs. Missing
 * fields take Hugging Face's BertConfig defaults; RoBERTa-style models differ only in how
 * position ids are computed ({@link #roberta()}).
 */
public record BertConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        float hiddenDropoutProb,
        float attentionProbsDropoutProb,
        int maxPositionEmbeddings,
        int typeVocabSize,
        float layerNormEps,
        int padTokenId) {

    private static final Set<String> BERT_TYPES = Set.of("bert");
    private static final Set<String> ROBERTA_TYPES = Set.of("roberta", "xlm-roberta", "camembert");
    private static final Set<String> ACTIVATIONS = Set.of("gelu", "relu");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public BertConfig {
        if (!BERT_TYPES.contains(modelType) && !ROBERTA_TYPES.contains(modelType)) {
            throw new IllegalArgumentException("config.json: model_type '" + modelType
                    + "' is not a supported BERT-family encoder (bert, roberta, xlm-roberta, camembert)");
        }
        if (!ACTIVATIONS.contains(hiddenAct)) {
            throw new IllegalArgumentException("config.json: hidden_act '" + hiddenAct + "' is not supported (gelu, relu)");
        }
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("intermediate_size", intermediateSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        positive("type_vocab_size", typeVocabSize);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("config.json: hidden_size " + hiddenSize
                    + " is not a multiple of num_attention_heads " + numAttentionHeads);
        }
        if (!(layerNormEps > 0)) {
            throw new IllegalArgumentException("config.json: layer_norm_eps must be > 0, got " + layerNormEps);
        }
        if (padTokenId < 0 || padTokenId >= vocabSize) {
            throw new IllegalArgumentException("config.json: pad_token_id " + padTokenId + " is outside the vocabulary");
        }
    }

    /** all-MiniLM-L6-v2 (sentence-transformers), as published in its config.json. */
    public static BertConfig allMiniLmL6V2() {
        return new BertConfig("bert", 30522, 384, 6, 12, 1536, "gelu", 0.1f, 0.1f, 512, 2, 1e-12f, 0);
    }

    /** RoBERTa-style models number positions from padding_idx + 1 and skip padding tokens. */
    public boolean roberta() {
        return ROBERTA_TYPES.contains(modelType);
    }

    /** The core's description of this model. */
    public ModelConfig modelConfig(int numLabels) {
        return ModelConfig.bert(hiddenSize, numHiddenLayers, intermediateSize, numAttentionHeads, vocabSize,
                maxPositionEmbeddings, typeVocabSize, numLabels);
    }

    public int headSize() {
        return hiddenSize / numAttentionHeads;
    }

    public static BertConfig read(Path file) throws IOException {
        JsonNode n = HfConfig.read(file);
        try {
            return fromJson(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The encoder's fields of a config.json: the shape as {@link HfConfig#bert} reads it, and the rest. */
    public static BertConfig fromJson(JsonNode n) {
        ModelConfig shape = HfConfig.bert(n);
        return new BertConfig(
                HfConfig.text(n, "model_type", "bert"),
                shape.vocabSize(),
                shape.hiddenSize(),
                shape.numLayers(),
                shape.numHeads(),
                shape.intermediateSize(),
                HfConfig.text(n, "hidden_act", "gelu"),
                (float) HfConfig.number(n, "hidden_dropout_prob", 0.1),
                (float) HfConfig.number(n, "attention_probs_dropout_prob", 0.1),
                shape.maxPositions(),
                shape.typeVocabSize(),
                (float) HfConfig.number(n, "layer_norm_eps", 1e-12),
                HfConfig.integer(n, "pad_token_id", 0));
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add(roberta() ? "RobertaModel" : "BertModel");
        n.put("model_type", modelType);
        n.put("vocab_size", vocabSize);
        n.put("hidden_size", hiddenSize);
        n.put("num_hidden_layers", numHiddenLayers);
        n.put("num_attention_heads", numAttentionHeads);
        n.put("intermediate_size", intermediateSize);
        n.put("hidden_act", hiddenAct);
        n.put("hidden_dropout_prob", hiddenDropoutProb);
        n.put("attention_probs_dropout_prob", attentionProbsDropoutProb);
        n.put("max_position_embeddings", maxPositionEmbeddings);
        n.put("type_vocab_size", typeVocabSize);
        n.put("layer_norm_eps", layerNormEps);
        n.put("pad_token_id", padTokenId);
        n.put("position_embedding_type", "absolute");
        n.put("torch_dtype", "float32");
        return n;
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, JSON.writeValueAsString(toJson()) + "\n");
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("config.json: " + field + " must be > 0, got " + v);
        }
    }
}
