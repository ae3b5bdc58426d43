package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the clients' learning rate changes over the rounds (spec.rounds.learningRateDecay). */
public enum LearningRateDecay {
  @JsonProperty("constant")
  CONSTANT,
  @JsonProperty("cosine")
  COSINE;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return LearningRateDecay.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
