package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * A participant's data.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SiloData extends ValueObject {

  @JsonPropertyDescription("Training data: file:<path> (relative paths resolve against the working directory) or pvc:<claim>/<path>.")
  @Required
  @Pattern("^(file:.+|pvc:[a-z0-9]([-a-z0-9.]*[a-z0-9])?/.+)$")
  private String train;

  @JsonPropertyDescription("Local evaluation data, reported per silo (federated evaluation).")
  @Pattern("^(file:.+|pvc:[a-z0-9]([-a-z0-9.]*[a-z0-9])?/.+)$")
  private String eval;

  public String getTrain() {
    return train;
  }

  public void setTrain(String train) {
    this.train = train;
  }

  public String getEval() {
    return eval;
  }

  public void setEval(String eval) {
    this.eval = eval;
  }
}
