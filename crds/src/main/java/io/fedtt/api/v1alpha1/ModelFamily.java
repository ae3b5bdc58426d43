package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Transformer families: BERT-family encoders (config.json model_type bert, roberta, xlm-roberta, camembert) and
 * LLaMA-family decoders (model_type llama, mistral, qwen2).
 */
public enum ModelFamily {
  @JsonProperty("BERT")
  BERT,
  @JsonProperty("LLAMA")
  LLAMA;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return ModelFamily.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
