package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a round's updates combine into the next global adapter. */
public enum AggregationRuleName {
  @JsonProperty("fedavg")
  FEDAVG,
  @JsonProperty("median")
  MEDIAN,
  @JsonProperty("trimmedMean")
  TRIMMED_MEAN;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return AggregationRuleName.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
