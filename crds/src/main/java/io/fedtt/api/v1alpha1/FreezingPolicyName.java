package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** FedTT+ policy choosing which TT cores are trainable in each round. */
public enum FreezingPolicyName {
  @JsonProperty("none")
  NONE,
  @JsonProperty("fixed")
  FIXED,
  @JsonProperty("roundRobin")
  ROUND_ROBIN,
  @JsonProperty("adaptive")
  ADAPTIVE;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return FreezingPolicyName.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
