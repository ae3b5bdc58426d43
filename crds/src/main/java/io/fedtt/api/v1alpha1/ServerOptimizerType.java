package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The server's step from the global adapter towards a round's aggregate. */
public enum ServerOptimizerType {
  @JsonProperty("fedavg")
  FEDAVG,
  @JsonProperty("fedavgm")
  FEDAVGM,
  @JsonProperty("fedadam")
  FEDADAM,
  @JsonProperty("fedyogi")
  FEDYOGI;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return ServerOptimizerType.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
