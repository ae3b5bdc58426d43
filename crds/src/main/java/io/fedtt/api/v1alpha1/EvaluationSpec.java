package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/**
 * Held-out evaluation of the global adapter, on data no silo trains on.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EvaluationSpec extends ValueObject {

  @JsonPropertyDescription("Held-out data: file:<path> (relative paths resolve against the working directory) or pvc:<claim>/<path>.")
  @Pattern("^(file:.+|pvc:[a-z0-9]([-a-z0-9.]*[a-z0-9])?/.+)$")
  private String data;

  @JsonPropertyDescription("Evaluate on at most this many examples (the first ones), to bound evaluation time.")
  @Min(1)
  private Integer maxExamples;

  public String getData() {
    return data;
  }

  public void setData(String data) {
    this.data = data;
  }

  public Integer getMaxExamples() {
    return maxExamples;
  }

  public void setMaxExamples(Integer maxExamples) {
    this.maxExamples = maxExamples;
  }
}
