package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fedtt.core.job.JobDefaults;

/**
 * Secure aggregation of a job (SecAgg with dropout recovery; see io.fedtt.core.privacy.secagg): the
 * coordinator learns each round's weighted sum of updates and nothing of any single one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecureAggregationSpec extends ValueObject {

  @JsonPropertyDescription("Run every round's aggregation as secure aggregation. Default " + JobDefaults.SECURE_AGGREGATION_ENABLED_TEXT
      + " once the secureAggregation object is given.")
  @Default(JobDefaults.SECURE_AGGREGATION_ENABLED_TEXT)
  private Boolean enabled;

  @JsonPropertyDescription("How many of a round's participants must complete each stage, and how many shares rebuild a secret: "
      + "more than half of the participants per round and at most all of them. A round survives the loss of (participants - threshold) "
      + "participants after they agreed their masks. Default: two thirds of the participants per round, rounded up (at least 2).")
  @Min(2)
  @Max(255)
  private Integer threshold;

  @JsonPropertyDescription("How long each protocol stage after the first (shares, masked updates, unmasking) waits for late participants before going on "
      + "without them, if the threshold is met (the first stage, which includes local training, waits until rounds.roundTimeoutSeconds). Default "
      + JobDefaults.SECURE_STAGE_TIMEOUT_SECONDS_TEXT + ".")
  @Default(JobDefaults.SECURE_STAGE_TIMEOUT_SECONDS_TEXT)
  @Min(1)
  @Max(86400)
  private Integer stageTimeoutSeconds;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getThreshold() {
    return threshold;
  }

  public void setThreshold(Integer threshold) {
    this.threshold = threshold;
  }

  public Integer getStageTimeoutSeconds() {
    return stageTimeoutSeconds;
  }

  public void setStageTimeoutSeconds(Integer stageTimeoutSeconds) {
    this.stageTimeoutSeconds = stageTimeoutSeconds;
  }
}
