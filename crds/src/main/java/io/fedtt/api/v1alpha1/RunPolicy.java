package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fedtt.core.job.JobDefaults;
import io.fabric8.generator.annotation.Min;

/**
 * Job lifecycle, as in batch/v1 Job and Kubeflow TrainJob.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RunPolicy extends ValueObject {

  @JsonPropertyDescription("Worker pod failures tolerated (pods are recreated with exponential backoff) before the job fails.")
  @Default(JobDefaults.BACKOFF_LIMIT_TEXT)
  @Min(0)
  private Integer backoffLimit;

  @JsonPropertyDescription("Fail the job when it has been running (not suspended) longer than this.")
  @Min(1)
  private Long activeDeadlineSeconds;

  @JsonPropertyDescription("Delete the job this long after it finished.")
  @Min(0)
  private Integer ttlSecondsAfterFinished;

  @JsonPropertyDescription("Which worker pods are deleted when the job finishes: All, Running (those still running) or None.")
  @Default("All")
  private CleanPodPolicy cleanPodPolicy;

  public Integer getBackoffLimit() {
    return backoffLimit;
  }

  public void setBackoffLimit(Integer backoffLimit) {
    this.backoffLimit = backoffLimit;
  }

  public Long getActiveDeadlineSeconds() {
    return activeDeadlineSeconds;
  }

  public void setActiveDeadlineSeconds(Long activeDeadlineSeconds) {
    this.activeDeadlineSeconds = activeDeadlineSeconds;
  }

  public Integer getTtlSecondsAfterFinished() {
    return ttlSecondsAfterFinished;
  }

  public void setTtlSecondsAfterFinished(Integer ttlSecondsAfterFinished) {
    this.ttlSecondsAfterFinished = ttlSecondsAfterFinished;
  }

  public CleanPodPolicy getCleanPodPolicy() {
    return cleanPodPolicy;
  }

  public void setCleanPodPolicy(CleanPodPolicy cleanPodPolicy) {
    this.cleanPodPolicy = cleanPodPolicy;
  }
}
