package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fedtt.core.job.JobDefaults;

/**
 * Differential privacy of a job (user-level: the unit protected is one participant with all its data).
 * See io.fedtt.core.privacy.DifferentialPrivacy for the mechanisms and the accounting.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DifferentialPrivacySpec extends ValueObject {

  @JsonPropertyDescription("central: the coordinator clips each update's change from the global adapter to clipNorm, averages them with equal weights over the participants a round selects "
      + "(example counts and silo weights play no part), and adds Gaussian noise of standard deviation noiseMultiplier x clipNorm / selected; it sees individual updates, so it must be trusted. "
      + "local: each worker clips its own change to clipNorm and adds noise of standard deviation noiseMultiplier x clipNorm before uploading; nothing unnoised leaves a silo, at the cost of much more noise. "
      + "FedTT+ frozen cores are neither clipped nor noised. Default " + JobDefaults.PRIVACY_MODE + ".")
  @Default(JobDefaults.PRIVACY_MODE)
  private PrivacyMode mode;

  @JsonPropertyDescription("The largest L2 norm of one participant's change from the round's global adapter, over all the tensors it trains that round; larger changes are scaled down to it. "
      + "Choose it near the norm an honest update reaches, or clipping slows training.")
  @Required
  @Min(value = 0, inclusive = false)
  private Double clipNorm;

  @JsonPropertyDescription("Noise standard deviation over clipNorm (sigma). Larger: more noise, smaller epsilon per round. Typical 0.5 to 2 for central DP with many participants.")
  @Required
  @Min(value = 0, inclusive = false)
  private Double noiseMultiplier;

  @JsonPropertyDescription("The delta epsilon is reported for, in (0, 1); default " + JobDefaults.PRIVACY_DELTA_TEXT + ". Keep it well below 1 / the number of participants.")
  @Min(value = 0, inclusive = false)
  @Max(value = 1, inclusive = false)
  private Double delta;

  @JsonPropertyDescription("The job ends (successfully, reason PrivacyBudgetExhausted) before a round that would take epsilon above this. "
      + "Must be at least the epsilon of one round. Unset: no limit; epsilon is still reported.")
  @Min(value = 0, inclusive = false)
  private Double targetEpsilon;

  public PrivacyMode getMode() {
    return mode;
  }

  public void setMode(PrivacyMode mode) {
    this.mode = mode;
  }

  public Double getClipNorm() {
    return clipNorm;
  }

  public void setClipNorm(Double clipNorm) {
    this.clipNorm = clipNorm;
  }

  public Double getNoiseMultiplier() {
    return noiseMultiplier;
  }

  public void setNoiseMultiplier(Double noiseMultiplier) {
    this.noiseMultiplier = noiseMultiplier;
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
}
