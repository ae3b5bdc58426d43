package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How TT adapters start: as an exact identity (up projection's last core zero) or with LoRETTA's Gaussian cores. */
public enum AdapterInit {
  @JsonProperty("identity")
  IDENTITY,
  @JsonProperty("loretta")
  LORETTA;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return AdapterInit.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
