package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fedtt.core.job.JobDefaults;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Cross-device mode: many virtual clients made by partitioning one dataset, a sample of them per
 * round, hosted by a few worker pods.
 */
@ValidationRule(value = "!(has(self.perRound) && has(self.sampleFraction))", message = "set at most one of perRound or sampleFraction")
@ValidationRule(value = "!has(self.perRound) || self.perRound <= self.count", message = "perRound must not exceed count", fieldPath = ".perRound")
@ValidationRule(value = "!has(self.workers) || self.workers <= self.count", message = "workers must not exceed count", fieldPath = ".workers")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DevicesSpec extends ValueObject {

  @JsonPropertyDescription("Number of virtual clients.")
  @Required
  @Min(1)
  @Max(1000000)
  private Integer count;

  @JsonPropertyDescription("Clients sampled per round; set this or sampleFraction (with neither, 10% of the clients per round).")
  @Min(1)
  private Integer perRound;

  @JsonPropertyDescription("Fraction of clients sampled per round; set this or perRound.")
  @Min(value = 0, inclusive = false)
  @Max(1)
  private Double sampleFraction;

  @JsonPropertyDescription("Worker pods that host the virtual clients.")
  @Default(JobDefaults.DEVICE_WORKERS_TEXT)
  @Min(1)
  @Max(1000)
  private Integer workers;

  @JsonPropertyDescription("How the data is split into clients.")
  @Default("{}")
  private PartitionSpec partition;

  @JsonPropertyDescription("The dataset that is partitioned (train) and an optional evaluation split.")
  @Required
  private SiloData data;

  public Integer getCount() {
    return count;
  }

  public void setCount(Integer count) {
    this.count = count;
  }

  public Integer getPerRound() {
    return perRound;
  }

  public void setPerRound(Integer perRound) {
    this.perRound = perRound;
  }

  public Double getSampleFraction() {
    return sampleFraction;
  }

  public void setSampleFraction(Double sampleFraction) {
    this.sampleFraction = sampleFraction;
  }

  public Integer getWorkers() {
    return workers;
  }

  public void setWorkers(Integer workers) {
    this.workers = workers;
  }

  public PartitionSpec getPartition() {
    return partition;
  }

  public void setPartition(PartitionSpec partition) {
    this.partition = partition;
  }

  public SiloData getData() {
    return data;
  }

  public void setData(SiloData data) {
    this.data = data;
  }
}
