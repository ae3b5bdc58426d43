package io.fedtt.api.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fedtt.api.v1alpha1.ValueObject;

/**
 * Round progress.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RoundStatus extends ValueObject {

  @JsonPropertyDescription("The round in progress (1-based); 0 before the first.")
  private Integer current;

  @JsonPropertyDescription("Rounds aggregated so far.")
  private Integer completed;

  @JsonPropertyDescription("Rounds planned (spec.rounds.total).")
  private Integer total;

  public Integer getCurrent() {
    return current;
  }

  public void setCurrent(Integer current) {
    this.current = current;
  }

  public Integer getCompleted() {
    return completed;
  }

  public void setCompleted(Integer completed) {
    this.completed = completed;
  }

  public Integer getTotal() {
    return total;
  }

  public void setTotal(Integer total) {
    this.total = total;
  }


  /** "completed/total", for the Round printer column. */
  @JsonProperty(value = "display", access = JsonProperty.Access.READ_ONLY)
  @JsonPropertyDescription("completed/total, for kubectl get (derived).")
  public String getDisplay() {
    if (completed == null && total == null) {
      return null;
    }
    return (completed == null ? 0 : completed) + "/" + (total == null ? "?" : total);
  }

}
