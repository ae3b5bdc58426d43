package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Transformer families the worker can load; only BERT-family encoders (BERT, RoBERTa, MiniLM, ...) today. */
public enum ModelFamily {
  @JsonProperty("BERT")
  BERT;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return ModelFamily.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
