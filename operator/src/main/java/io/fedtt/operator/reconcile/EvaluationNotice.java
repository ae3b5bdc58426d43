package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.SiloData;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What to tell a user whose job asks for a held-out evaluation a cluster will not run: on a cluster
 * the workers evaluate the global adapter on their own {@code data.eval} (federated evaluation);
 * {@code spec.evaluation} is read only by {@code fedtt simulate}, which has every file at hand. Pure.
 */
final class EvaluationNotice {

  static final String REASON = "NoEvaluation";

  private EvaluationNotice() {}

  /** A warning when spec.evaluation is set and no silo (or the devices) has eval data, else empty. */
  static Optional<String> of(FederatedFineTuneSpec spec) {
    if (spec.getEvaluation() == null || spec.getEvaluation().getData() == null) {
      return Optional.empty();
    }
    Stream<SiloData> data = spec.getSilos() != null ? spec.getSilos().stream().map(s -> s.getData())
        : spec.getDevices() != null ? Stream.of(spec.getDevices().getData()) : Stream.empty();
    if (data.anyMatch(d -> d != null && d.getEval() != null)) {
      return Optional.empty();
    }
    return Optional.of("spec.evaluation (" + spec.getEvaluation().getData() + ") is evaluated by fedtt simulate "
        + "only; on a cluster the workers report accuracy on their own data.eval, which no "
        + (spec.getSilos() != null ? "silo" : "device set") + " of this job has, so status.metrics.accuracy "
        + "will stay empty (and rounds.patience cannot stop early)");
  }
}
