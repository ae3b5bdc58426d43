package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The classification head on the pooled encoder output (BERT family). */
public enum AdapterHead {
  @JsonProperty("linear")
  LINEAR,
  @JsonProperty("dense")
  DENSE,
  @JsonProperty("tt")
  TT;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return AdapterHead.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
