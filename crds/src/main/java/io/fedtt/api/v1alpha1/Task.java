package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fedtt.core.job.JobDescription;

/**
 * What the fine-tuned model does: sequence classification (an encoder or decoder with a classification
 * head over model.labels) or causal-lm (instruction tuning of a LLaMA-family decoder on prompt/response
 * pairs, no labels). The wire names are {@link JobDescription}'s task constants.
 */
public enum Task {
  @JsonProperty(JobDescription.TASK_SEQUENCE_CLASSIFICATION)
  SEQUENCE_CLASSIFICATION,
  @JsonProperty(JobDescription.TASK_CAUSAL_LM)
  CAUSAL_LM;

  /** The spelling used in manifests. */
  public String wireName() {
    try {
      return Task.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
