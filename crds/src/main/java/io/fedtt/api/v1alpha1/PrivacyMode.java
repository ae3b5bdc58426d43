package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Who adds the differential-privacy noise (spec.privacy.differentialPrivacy.mode). */
public enum PrivacyMode {
  @JsonProperty("central")
  CENTRAL,
  @JsonProperty("local")
  LOCAL;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return PrivacyMode.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
