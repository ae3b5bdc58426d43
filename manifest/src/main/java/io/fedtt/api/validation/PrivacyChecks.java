package io.fedtt.api.validation;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.privacy.PrivacySpent;
import java.util.List;
import java.util.Locale;

/**
 * Checks of {@code spec.privacy} that need the accountant, which no schema rule can run: a
 * {@code targetEpsilon} below the epsilon of a single round would end the job before it starts.
 * The schema already bounds each field (clipNorm and noiseMultiplier &gt; 0, delta in (0, 1)).
 */
final class PrivacyChecks {

  static final String TARGET = "spec.privacy.differentialPrivacy.targetEpsilon";

  private PrivacyChecks() {}

  static List<Problem> check(FederatedFineTuneSpec spec) {
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
