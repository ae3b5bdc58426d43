package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.status.PrivacyStatus;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.PrivacyLedger;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.privacy.DifferentialPrivacy;
import java.util.List;

/**
 * The spent differential-privacy budget for the resource's status, from the job's settings and its
 * round history ({@link PrivacyLedger}); null for a job without differential privacy. Pure.
 */
final class PrivacyStatusOf {

  private PrivacyStatusOf() {}

  static PrivacyStatus of(FederationJobSpec spec, List<RoundRecord> history) {
    DifferentialPrivacy dp = spec.privacy();
    if (dp == null) {
      return null;
    }
    PrivacyStatus p = new PrivacyStatus();
    p.setMode(dp.mode().wireName());
    long releases = PrivacyLedger.releases(spec, history);
    p.setReleases(releases);
    p.setEpsilon(ProgressStatus.round4(PrivacyLedger.epsilon(spec, releases)));
    p.setDelta(dp.delta());
    p.setTargetEpsilon(dp.hasTarget() ? dp.targetEpsilon() : null);
    return p;
  }
}
