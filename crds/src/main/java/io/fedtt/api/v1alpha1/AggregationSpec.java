package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fedtt.core.job.JobDefaults;

/**
 * How the coordinator combines a round's updates, and how much weight one update may claim: the
 * defences against a participant that sends a poisoned update (see docs/security.md). Without this
 * object a job runs plain FedAvg with no cap beyond 2^31 - 1 examples per update.
 */
@ValidationRule(value = "!has(self.trimFraction) || (has(self.rule) && self.rule == 'trimmedMean')", message = "trimFraction applies only to rule trimmedMean", fieldPath = ".trimFraction")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AggregationSpec extends ValueObject {

  @JsonPropertyDescription("fedavg: the mean weighted by each update's claimed examples (fedtt.examples) times the silo's weight; "
      + "median: the coordinate-wise median of the updates; trimmedMean: per coordinate, drop the floor(trimFraction x n) largest and smallest of the n updates and average the rest. "
      + "median and trimmedMean count every update once, whatever it claims, and keep all of a round's updates in the coordinator's memory (updates x trainable values x 4 bytes). "
      + "Only the round's trainable tensors (FedTT+ mask) are aggregated.")
  @Default(JobDefaults.AGGREGATION_RULE)
  private AggregationRuleName rule;

  @JsonPropertyDescription("Fraction of the updates dropped at each end of every coordinate (rule trimmedMean), in [0, 0.5); default " + JobDefaults.AGGREGATION_TRIM_FRACTION_TEXT + ". With n updates, floor(trimFraction x n) malicious ones are outvoted.")
  @Min(0)
  @Max(value = 0.5, inclusive = false)
  private Double trimFraction;

  @JsonPropertyDescription("Clip every update before aggregating: an update farther than clipNorm (L2 norm over all its trainable tensors) from the round's global adapter is scaled back towards it to exactly clipNorm. "
      + "With fedavg the global adapter then moves at most clipNorm per round whatever any update claims. Unset: no clipping.")
  @Min(value = 0, inclusive = false)
  private Double clipNorm;

  @JsonPropertyDescription("The most training examples one update may claim in its fedtt.examples metadata (its fedavg weight is that times the silo's weight); an upload claiming more is refused (HTTP 422 naming fedtt.examples). "
      + "Workers report the size of their local training set, so set this to at least the largest silo's (or device's) number of training examples. Unset: 2147483647, which only rules out overflow.")
  @Min(1)
  @Max(2147483647)
  private Long maxExamplesPerUpdate;

  public AggregationRuleName getRule() {
    return rule;
  }

  public void setRule(AggregationRuleName rule) {
    this.rule = rule;
  }

  public Double getTrimFraction() {
    return trimFraction;
  }

  public void setTrimFraction(Double trimFraction) {
    this.trimFraction = trimFraction;
  }

  public Double getClipNorm() {
    return clipNorm;
  }

  public void setClipNorm(Double clipNorm) {
    this.clipNorm = clipNorm;
  }

  public Long getMaxExamplesPerUpdate() {
    return maxExamplesPerUpdate;
  }

  public void setMaxExamplesPerUpdate(Long maxExamplesPerUpdate) {
    this.maxExamplesPerUpdate = maxExamplesPerUpdate;
  }
}
