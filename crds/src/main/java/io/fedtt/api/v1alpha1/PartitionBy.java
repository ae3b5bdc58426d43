package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How one dataset is split into virtual clients in cross-device mode. */
public enum PartitionBy {
  @JsonProperty("dirichlet")
  DIRICHLET,
  @JsonProperty("iid")
  IID,
  @JsonProperty("field")
  FIELD;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return PartitionBy.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
