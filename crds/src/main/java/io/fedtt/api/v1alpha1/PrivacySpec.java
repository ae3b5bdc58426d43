package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Privacy protections of the participants' updates (docs/security.md): differential privacy and
 * secure aggregation.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrivacySpec extends ValueObject {

  @JsonPropertyDescription("Differential privacy for each participant (silo or device) and all its data: updates are clipped and Gaussian noise is added, "
      + "and a Renyi-DP accountant reports epsilon at delta in status after every round. Unset: off.")
  private DifferentialPrivacySpec differentialPrivacy;

  @JsonPropertyDescription("Secure aggregation: each participant masks its update so that the coordinator can only rebuild the round's weighted sum, "
      + "never an individual update (pairwise masks from X25519 key agreement, Shamir-shared seeds recover participants that drop after agreeing "
      + "their masks). Updates travel as 64-bit fixed point, about twice the bytes of float32. Unset: off.")
  private SecureAggregationSpec secureAggregation;

  public SecureAggregationSpec getSecureAggregation() {
    return secureAggregation;
  }

  public void setSecureAggregation(SecureAggregationSpec secureAggregation) {
    this.secureAggregation = secureAggregation;
  }

  public DifferentialPrivacySpec getDifferentialPrivacy() {
    return differentialPrivacy;
  }

  public void setDifferentialPrivacy(DifferentialPrivacySpec differentialPrivacy) {
    this.differentialPrivacy = differentialPrivacy;
  }
}
