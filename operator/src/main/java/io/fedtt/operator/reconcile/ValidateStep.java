package io.fedtt.operator.reconcile;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.core.adapter.ModelConfig;
import java.util.List;
import java.util.Optional;

/**
 * Validate: the spec against the schema's rules, and the model's shape the initial adapter's layout
 * needs (the built-in preset or spec.model.architecture; the model itself is only loaded by the
 * workers). An invalid spec stops the reconcile with Failed/InvalidSpec; a fixed one clears it.
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
    Optional<ModelConfig> model = FederationJobMapper.modelConfig(rc.job.getSpec());
    if (model.isEmpty()) {
      rc.markInvalid("spec.model.uri: " + FederationJobMapper.modelProblem(rc.job.getSpec()).orElse("unknown model"));
      return StepResult.stop();
    }
    rc.model = model.get();
    return StepResult.proceed();
  }

  /** The first problem in full, and how many more there are. */
  static String describe(List<SpecProblem> problems) {
    return problems.get(0).toString() + (problems.size() > 1
        ? " (and " + (problems.size() - 1) + " more: " + problems.subList(1, problems.size()) + ")" : "");
  }
}
