package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which projections of a TT bottleneck adapter carry a dense bias. */
public enum AdapterBias {
  @JsonProperty("both")
  BOTH,
  @JsonProperty("down")
  DOWN,
  @JsonProperty("none")
  NONE
}
