package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import java.util.List;

/** The "validate" step: what is wrong with a job's spec, empty when nothing is. */
@FunctionalInterface
public interface SpecValidator {

  List<SpecProblem> validate(FederatedFineTune job);
}
