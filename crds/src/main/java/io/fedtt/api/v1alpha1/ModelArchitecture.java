package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The base model's shape, as its {@code config.json} gives it. The operator lays out the initial
 * adapter from this without seeing the model (only the worker pods load it); each worker checks
 * that the model it loaded has this shape.
 */
// No messageExpression quoting the numbers: the API server estimates string(int) + '...' as unbounded
// and refuses the whole CRD for exceeding the CEL cost budget (cluster module, CrdAndExamplesTest).
@ValidationRule(value = "self.hiddenSize % self.numHeads == 0", message = "hiddenSize must be a multiple of numHeads")
@ValidationRule(value = "!has(self.numKeyValueHeads) || self.numHeads % self.numKeyValueHeads == 0",
    message = "numHeads must be a multiple of numKeyValueHeads", fieldPath = ".numKeyValueHeads")
// An absent family is BERT (the default).
@ValidationRule(value = "!has(self.numKeyValueHeads) || (has(self.family) && self.family == 'LLAMA')"
    + " || self.numKeyValueHeads == self.numHeads",
    message = "numKeyValueHeads must equal numHeads for family BERT (no grouped-query attention)",
    fieldPath = ".numKeyValueHeads")
@ValidationRule(value = "has(self.maxPositions) || !has(self.family) || self.family != 'LLAMA'",
    message = "maxPositions is required for family LLAMA (config.json max_position_embeddings)",
    fieldPath = ".maxPositions")
@ValidationRule(value = "!has(self.typeVocabSize) || !has(self.family) || self.family != 'LLAMA' || self.typeVocabSize == 0",
    message = "typeVocabSize must be 0 (or left out) for family LLAMA: it has no token-type embeddings",
    fieldPath = ".typeVocabSize")
@ValidationRule(value = "!has(self.typeVocabSize) || (has(self.family) && self.family == 'LLAMA') || self.typeVocabSize >= 1",
    message = "typeVocabSize must be at least 1 for family BERT", fieldPath = ".typeVocabSize")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelArchitecture extends ValueObject {

  @JsonPropertyDescription("Model family: BERT (config.json model_type bert, roberta, xlm-roberta, camembert) or LLAMA (model_type llama, mistral, qwen2).")
  @Default("BERT")
  private ModelFamily family;

  @JsonPropertyDescription("Width of the hidden states (config.json hidden_size).")
  @Required
  @Min(1)
  @Max(65536)
  private Integer hiddenSize;

  @JsonPropertyDescription("Number of transformer layers (config.json num_hidden_layers).")
  @Required
  @Min(1)
  @Max(1024)
  private Integer numLayers;

  @JsonPropertyDescription("Width of the feed-forward layer (config.json intermediate_size).")
  @Required
  @Min(1)
  @Max(262144)
  private Integer intermediateSize;

  @JsonPropertyDescription("Attention heads per layer (config.json num_attention_heads); must divide hiddenSize.")
  @Required
  @Min(1)
  @Max(1024)
  private Integer numHeads;

  @JsonPropertyDescription("Key/value heads per layer under grouped-query attention (config.json num_key_value_heads); must divide numHeads. Default: numHeads (no grouped-query attention; the only value for BERT).")
  @Min(1)
  @Max(1024)
  private Integer numKeyValueHeads;

  @JsonPropertyDescription("Tokens in the vocabulary (config.json vocab_size).")
  @Required
  @Min(1)
  @Max(4000000)
  private Integer vocabSize;

  @JsonPropertyDescription("Learned position embeddings (config.json max_position_embeddings); for LLAMA the context length, and required. Default for BERT: 512.")
  @Min(1)
  @Max(1048576)
  private Integer maxPositions;

  @JsonPropertyDescription("Token-type (segment) embeddings (config.json type_vocab_size). Default: 2 for BERT, 0 for LLAMA (which has none).")
  @Min(0)
  @Max(1024)
  private Integer typeVocabSize;

  @JsonPropertyDescription("LLAMA family: the LM head shares the input embedding matrix (config.json tie_word_embeddings). Default: false. Ignored for BERT.")
  private Boolean tieWordEmbeddings;

  @JsonPropertyDescription("LLAMA family: q_proj, k_proj and v_proj have biases (Qwen2; config.json attention_bias). Default: false. Ignored for BERT.")
  private Boolean attentionBias;

  public ModelFamily getFamily() {
    return family;
  }

  public void setFamily(ModelFamily family) {
    this.family = family;
  }

  public Integer getHiddenSize() {
    return hiddenSize;
  }

  public void setHiddenSize(Integer hiddenSize) {
    this.hiddenSize = hiddenSize;
  }

  public Integer getNumLayers() {
    return numLayers;
  }

  public void setNumLayers(Integer numLayers) {
    this.numLayers = numLayers;
  }

  public Integer getIntermediateSize() {
    return intermediateSize;
  }

  public void setIntermediateSize(Integer intermediateSize) {
    this.intermediateSize = intermediateSize;
  }

  public Integer getNumHeads() {
    return numHeads;
  }

  public void setNumHeads(Integer numHeads) {
    this.numHeads = numHeads;
  }

  public Integer getNumKeyValueHeads() {
    return numKeyValueHeads;
  }

  public void setNumKeyValueHeads(Integer numKeyValueHeads) {
    this.numKeyValueHeads = numKeyValueHeads;
  }

  public Integer getVocabSize() {
    return vocabSize;
  }

  public void setVocabSize(Integer vocabSize) {
    this.vocabSize = vocabSize;
  }

  public Integer getMaxPositions() {
    return maxPositions;
  }

  public void setMaxPositions(Integer maxPositions) {
    this.maxPositions = maxPositions;
  }

  public Integer getTypeVocabSize() {
    return typeVocabSize;
  }

  public void setTypeVocabSize(Integer typeVocabSize) {
    this.typeVocabSize = typeVocabSize;
  }

  public Boolean getTieWordEmbeddings() {
    return tieWordEmbeddings;
  }

  public void setTieWordEmbeddings(Boolean tieWordEmbeddings) {
    this.tieWordEmbeddings = tieWordEmbeddings;
  }

  public Boolean getAttentionBias() {
    return attentionBias;
  }

  public void setAttentionBias(Boolean attentionBias) {
    this.attentionBias = attentionBias;
  }
}
