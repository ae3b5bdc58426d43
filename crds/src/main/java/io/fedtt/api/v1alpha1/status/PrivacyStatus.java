package io.fedtt.api.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fedtt.api.v1alpha1.ValueObject;

/** The differential-privacy budget a job has spent (only for jobs with spec.privacy.differentialPrivacy). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrivacyStatus extends ValueObject {

  @JsonPropertyDescription("central or local, as in the spec.")
  private String mode;

  @JsonPropertyDescription("Epsilon spent so far at delta (Renyi-DP accountant of the sampled Gaussian mechanism, Balle et al. 2020 conversion): "
      + "central, for any one participant over the completed rounds; local, for the participant that uploaded in the most rounds.")
  private Double epsilon;

  @JsonPropertyDescription("The delta epsilon is stated for.")
  private Double delta;

  @JsonPropertyDescription("spec.privacy.differentialPrivacy.targetEpsilon, when set.")
  private Double targetEpsilon;

  @JsonPropertyDescription("Rounds charged to the budget: completed rounds (central), or the most rounds one participant uploaded in (local).")
  private Long releases;

  public String getMode() {
    return mode;
  }

  public void setMode(String mode) {
    this.mode = mode;
  }

  public Double getEpsilon() {
    return epsilon;
  }

  public void setEpsilon(Double epsilon) {
    this.epsilon = epsilon;
  }

  public Double getDelta() {
    return delta;
  }

  public void setDelta(Double delta) {
    this.delta = delta;
  }

  public Double getTargetEpsilon() {
    return targetEpsilon;
  }

  public void setTargetEpsilon(Double targetEpsilon) {
    this.targetEpsilon = targetEpsilon;
  }

  public Long getReleases() {
    return releases;
  }

  public void setReleases(Long releases) {
    this.releases = releases;
  }
}
