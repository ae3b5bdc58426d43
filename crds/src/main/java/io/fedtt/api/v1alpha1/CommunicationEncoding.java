package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How adapter values travel between the silos and the coordinator (spec.communication.encoding). */
public enum CommunicationEncoding {
  @JsonProperty("float32")
  FLOAT32,
  @JsonProperty("float16")
  FLOAT16,
  @JsonProperty("bfloat16")
  BFLOAT16,
  @JsonProperty("int8")
  INT8;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return CommunicationEncoding.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
