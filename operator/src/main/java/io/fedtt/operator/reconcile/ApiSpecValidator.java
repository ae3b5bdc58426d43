package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.api.validation.Problem;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The "validate" step through the API module's {@link ManifestValidator}: the committed CRD's
 * schema and its CEL rules, evaluated in the operator. A real API server enforces the same rules at
 * admission; checking again catches servers that do not (test servers) and keeps one source of
 * truth for what a valid job is. Results are cached per resource generation, since the spec only
 * changes with it.
 */
public final class ApiSpecValidator implements SpecValidator {

  private final ManifestValidator validator;
  private final Map<String, List<SpecProblem>> cache = new ConcurrentHashMap<>();

  public ApiSpecValidator(ManifestValidator validator) {
    this.validator = validator;
  }

  public static ApiSpecValidator standard() {
    return new ApiSpecValidator(ManifestValidator.standard());
  }

  @Override
  public List<SpecProblem> validate(FederatedFineTune job) {
    String key = job.getMetadata().getUid() + "@" + job.getMetadata().getGeneration();
    if (job.getMetadata().getUid() == null) {
      return check(job);
    }
    if (cache.size() > 10_000) {
      cache.clear();
    }
    return cache.computeIfAbsent(key, k -> check(job));
  }

  private List<SpecProblem> check(FederatedFineTune job) {
    FederatedFineTune specOnly = new FederatedFineTune();
    specOnly.setMetadata(job.getMetadata());
    specOnly.setSpec(job.getSpec());
    return validator.validate(specOnly).stream().map(ApiSpecValidator::of).toList();
  }

  private static SpecProblem of(Problem p) {
    return new SpecProblem(p.path(), p.message());
  }
}
