package io.fedtt.api.validation;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.privacy.PrivacySpent;
import io.fedtt.core.privacy.secagg.SecureAggregation;
import java.util.List;
import java.util.Locale;

/**
 * Checks of {@code spec.privacy} that no schema rule can run: a {@code targetEpsilon} below the epsilon
 * of a single round (the accountant's) would end the job before it starts, and a secure-aggregation
 * threshold must be more than half of the participants a round selects (which depends on the
 * sampling). The schema already bounds each field (clipNorm and noiseMultiplier &gt; 0, delta in
 * (0, 1), threshold &gt;= 2).
 */
final class PrivacyChecks {

  static final String TARGET = "spec.privacy.differentialPrivacy.targetEpsilon";
  static final String THRESHOLD = "spec.privacy.secureAggregation.threshold";

  private PrivacyChecks() {}

  static List<Problem> check(FederatedFineTuneSpec spec) {
    List<Problem> problems = new java.util.ArrayList<>(targetEpsilon(spec));
    problems.addAll(secureThreshold(spec));
    return problems;
  }

  private static List<Problem> secureThreshold(FederatedFineTuneSpec spec) {
    SecureAggregation sa;
    int perRound;
    try {
      perRound = FederationJobMapper.sampling(spec).perRound(FederationJobMapper.participants(spec).size());
      sa = FederationJobMapper.secureAggregation(spec, perRound);
    } catch (IllegalArgumentException e) {
      return List.of(); // other checks report a spec that cannot be mapped
    }
    if (sa == null) {
      return List.of();
    }
    try {
      sa.check(perRound);
    } catch (IllegalArgumentException e) {
      return List.of(new Problem(THRESHOLD, e.getMessage()));
    }
    return List.of();
  }

  private static List<Problem> targetEpsilon(FederatedFineTuneSpec spec) {
    DifferentialPrivacy dp;
    int population;
    int perRound;
    try {
      dp = FederationJobMapper.privacy(spec);
      if (dp == null || !dp.hasTarget()) {
        return List.of();
      }
      population = FederationJobMapper.participants(spec).size();
      perRound = FederationJobMapper.sampling(spec).perRound(population);
    } catch (IllegalArgumentException e) {
      return List.of(); // other checks report a spec that cannot be mapped
    }
    double one = PrivacySpent.epsilon(dp, PrivacySpent.samplingRate(dp, perRound, population), 1);
    if (one > dp.targetEpsilon()) {
      return List.of(new Problem(TARGET, String.format(Locale.ROOT,
          "a single round already spends epsilon %.4g at delta %s (%s DP, noiseMultiplier %s, %d of %d participants per round),"
              + " more than the target %s; raise noiseMultiplier or targetEpsilon",
          one, dp.delta(), dp.mode().wireName(), dp.noiseMultiplier(), perRound, population, dp.targetEpsilon())));
    }
    return List.of();
  }
}
