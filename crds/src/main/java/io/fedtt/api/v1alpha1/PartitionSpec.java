package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fedtt.core.job.JobDefaults;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How the cross-device dataset is split into virtual clients.
 */
@ValidationRule(value = "!has(self.by) || self.by != 'field' || has(self.field)", message = "partition by field needs field", fieldPath = ".field")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PartitionSpec extends ValueObject {

  @JsonPropertyDescription("dirichlet: label-skewed shares drawn with concentration alpha (sequence-classification only: a causal-lm job has no labels, so it sets iid or field); iid: uniform random split; field: one client per value of a data field.")
  @Default("dirichlet")
  private PartitionBy by;

  @JsonPropertyDescription("Dirichlet concentration; smaller means more skewed clients (by dirichlet).")
  @Default(JobDefaults.DIRICHLET_ALPHA_TEXT)
  @Min(value = 0, inclusive = false)
  private Double alpha;

  @JsonPropertyDescription("Data field whose values define the clients (by field).")
  @Size(min = 1, max = 253)
  private String field;

  public PartitionBy getBy() {
    return by;
  }

  public void setBy(PartitionBy by) {
    this.by = by;
  }

  public Double getAlpha() {
    return alpha;
  }

  public void setAlpha(Double alpha) {
    this.alpha = alpha;
  }

  public String getField() {
    return field;
  }

  public void setField(String field) {
    this.field = field;
  }
}
