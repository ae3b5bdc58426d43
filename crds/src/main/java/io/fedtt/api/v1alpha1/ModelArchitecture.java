package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fedtt.core.job.JobDefaults;
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
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelArchitecture extends ValueObject {

  @JsonPropertyDescription("Model family; only BERT-family encoders (config.json model_type bert, roberta, xlm-roberta, camembert) today.")
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

  @JsonPropertyDescription("Tokens in the vocabulary (config.json vocab_size).")
  @Required
  @Min(1)
  @Max(4000000)
  private Integer vocabSize;

  @JsonPropertyDescription("Learned position embeddings (config.json max_position_embeddings).")
  @Default(JobDefaults.MAX_POSITIONS_TEXT)
  @Min(1)
  @Max(1048576)
  private Integer maxPositions;

  @JsonPropertyDescription("Token-type (segment) embeddings (config.json type_vocab_size).")
  @Default(JobDefaults.TYPE_VOCAB_SIZE_TEXT)
  @Min(1)
  @Max(1024)
  private Integer typeVocabSize;

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
}
