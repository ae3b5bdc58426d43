package io.fedtt.api.validation;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.AdapterSpec;
import io.fedtt.api.v1alpha1.AdapterType;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.adapter.Projections;
import io.fedtt.core.tt.ModeFactorizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks that need the model's family and shape, which no schema rule can express: the projection names
 * ({@code spec.adapter.targets} of a lora adapter, {@code spec.adapter.ttProjections} of a tt adapter) against
 * the family's projections, each TT delta's shape against the mode factorizer, and finally that the adapter
 * can be laid out on the declared model at all. Runs on manifests that pass the schema and the rules; an
 * unknown {@code builtin:} model is left to {@link FederationJobMapper#modelProblem}, and a model known only
 * from its config.json to {@link ManifestValidator#modelProblems}.
 */
final class LayoutChecks {

  private LayoutChecks() {}

  static List<Problem> check(FederatedFineTuneSpec spec) {
    List<Problem> problems = new ArrayList<>();
    if (spec == null || spec.getModel() == null) {
      return problems;
    }
    Optional<ModelConfig> declared;
    try {
      declared = FederationJobMapper.modelConfig(spec);
    } catch (IllegalArgumentException e) {
      problems.add(new Problem("spec.model.architecture", e.getMessage()));
      return problems;
    }
    if (declared.isEmpty()) {
      return problems;
    }
    return check(spec, declared.get());
  }

  /** The checks against a model's shape known otherwise (its config.json), for a spec that declares none. */
  static List<Problem> check(FederatedFineTuneSpec spec, ModelConfig model) {
    List<Problem> problems = new ArrayList<>();
    AdapterSpec a = spec.getAdapter();
    AdapterType type = a == null || a.getType() == null ? AdapterType.TT : a.getType();
    if (type == AdapterType.TT && a != null && a.getTtProjections() != null) {
      names(problems, model, a.getTtProjections(), "spec.adapter.ttProjections", true);
    }
    if (type == AdapterType.LORA && a.getTargets() != null) {
      names(problems, model, a.getTargets(), "spec.adapter.targets", false);
    }
    if (problems.isEmpty()) {
      try {
        FederationJobMapper.layout(spec, model);
      } catch (IllegalArgumentException e) {
        problems.add(new Problem("spec.adapter", e.getMessage()));
      }
    }
    return problems;
  }

  /** Each name must be one of the family's projections; a TT delta's [in, out] must also factor into modes. */
  private static void names(List<Problem> problems, ModelConfig model, List<String> names, String path,
      boolean ttDelta) {
    for (int i = 0; i < names.size(); i++) {
      String raw = names.get(i);
      String at = JsonPaths.index(path, i);
      Optional<String> canonical = Projections.canonical(model.family(), raw);
      if (canonical.isEmpty()) {
        problems.add(new Problem(at, Projections.unknown(model.family(), raw)));
        continue;
      }
      if (ttDelta) {
        Projections.Projection p = Projections.all(model).stream()
            .filter(x -> x.name().equals(canonical.get())).findFirst().orElseThrow();
        try {
          ModeFactorizer.balanced(p.in(), p.out());
        } catch (IllegalArgumentException e) {
          problems.add(new Problem(at, "a TT delta on " + p.name() + " would be " + p.in() + "x" + p.out()
              + ", which has no factorization into TT modes between " + ModeFactorizer.MIN_MODE + " and "
              + ModeFactorizer.MAX_MODE + "; leave " + p.name() + " out"));
        }
      }
    }
  }
}
