package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which parameters are trained and exchanged: tensor-train adapters, a LoRA baseline, or the whole model. */
public enum AdapterType {
  @JsonProperty("tt")
  TT,
  @JsonProperty("lora")
  LORA,
  @JsonProperty("full")
  FULL;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return AdapterType.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
