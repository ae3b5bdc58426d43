package io.fedtt.api.validation;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import java.util.List;

/**
 * Checks that need more than the manifest (files, data, registries). Called only for a manifest
 * that already passed the schema and CEL rules, with defaults applied; must not throw on bad input.
 */
@FunctionalInterface
public interface ReferenceChecker {
  /** Checks nothing: what the operator uses, since data paths are only meaningful inside pods. */
  ReferenceChecker NONE = resource -> List.of();

  List<Problem> check(FederatedFineTune resource);

  /** Runs this checker, then {@code next}. */
  default ReferenceChecker andThen(ReferenceChecker next) {
    return resource -> {
      List<Problem> all = new java.util.ArrayList<>(check(resource));
      all.addAll(next.check(resource));
      return all;
    };
  }
}
