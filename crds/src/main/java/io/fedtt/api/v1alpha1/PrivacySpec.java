package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Privacy protections of the participants' updates (docs/security.md). Today differential privacy;
 * secure aggregation will sit beside it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PrivacySpec extends ValueObject {

  @JsonPropertyDescription("Differential privacy for each participant (silo or device) and all its data: updates are clipped and Gaussian noise is added, "
      + "and a Renyi-DP accountant reports epsilon at delta in status after every round. Unset: off.")
  private DifferentialPrivacySpec differentialPrivacy;

  public DifferentialPrivacySpec getDifferentialPrivacy() {
    return differentialPrivacy;
  }

  public void setDifferentialPrivacy(DifferentialPrivacySpec differentialPrivacy) {
    this.differentialPrivacy = differentialPrivacy;
  }
}
