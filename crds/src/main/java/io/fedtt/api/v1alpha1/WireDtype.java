package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Number format of adapter tensors on the wire; always converted back to F32 before aggregation. */
public enum WireDtype {
  @JsonProperty("F32")
  F32,
  @JsonProperty("F16")
  F16,
  @JsonProperty("BF16")
  BF16;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return WireDtype.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
