package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Format of a data file; auto picks it from the extension (.jsonl, .csv, .tsv, optionally .gz). */
public enum DataFormat {
  @JsonProperty("auto")
  AUTO,
  @JsonProperty("jsonl")
  JSONL,
  @JsonProperty("csv")
  CSV,
  @JsonProperty("tsv")
  TSV;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return DataFormat.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
