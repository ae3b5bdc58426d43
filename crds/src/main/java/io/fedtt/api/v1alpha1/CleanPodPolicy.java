package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Which worker pods are deleted when the job finishes. */
public enum CleanPodPolicy {
  @JsonProperty("All")
  ALL,
  @JsonProperty("Running")
  RUNNING,
  @JsonProperty("None")
  NONE;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return CleanPodPolicy.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
