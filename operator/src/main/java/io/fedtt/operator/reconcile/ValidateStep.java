package io.fedtt.operator.reconcile;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Reason;
import java.util.List;
import java.util.Optional;

/**
 * Validate: the spec against the schema's rules (and, when the manifest gives the model's shape, the
 * adapter's layout on it), and that a builtin: model exists. An invalid spec stops the reconcile with
 * Failed/InvalidSpec; a fixed one clears it. The model's shape itself is {@link ModelStep}'s.
 */
final class ValidateStep implements ReconcileStep {

  private final SpecValidator validator;

  ValidateStep(SpecValidator validator) {
    this.validator = validator;
  }

  @Override
  public StepResult run(ReconcileContext rc) {
    List<SpecProblem> problems = validator.validate(rc.job);
    if (!problems.isEmpty()) {
      rc.markInvalid(describe(problems));
      return StepResult.stop();
    }
    if (rc.invalidBefore()) {
      rc.status.setCondition(ConditionType.Failed, false, Reason.InvalidSpec, "the spec is valid as of generation "
          + rc.generation, rc.generation, rc.now);
    }
    Optional<String> model = FederationJobMapper.modelProblem(rc.job.getSpec());
    if (model.isPresent()) {
      rc.markInvalid("spec.model.uri: " + model.get());
      return StepResult.stop();
    }
    return StepResult.proceed();
  }

  /** The first problem in full, and how many more there are. */
  static String describe(List<SpecProblem> problems) {
    return problems.get(0).toString() + (problems.size() > 1
        ? " (and " + (problems.size() - 1) + " more: " + problems.subList(1, problems.size()) + ")" : "");
  }
}
