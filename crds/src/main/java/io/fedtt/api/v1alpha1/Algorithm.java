package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Federated method: FedTT (all cores trainable) or FedTT+ (the server freezes cores per round). */
public enum Algorithm {
  @JsonProperty("FedTT")
  FED_TT,
  @JsonProperty("FedTTPlus")
  FED_TT_PLUS;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return Algorithm.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
