package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What the fine-tuned model does. Only sequence classification exists today. */
public enum Task {
  @JsonProperty("sequence-classification")
  SEQUENCE_CLASSIFICATION;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return Task.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
