package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.RoundsSpec;
import io.fedtt.api.v1alpha1.SiloSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The schema-level checks the API server would make (required fields, ranges, one-of rules), for
 * clusters or test servers that do not enforce the CRD schema. The API module's full validator
 * (schema + CEL rules) supersedes it where available.
 */
public final class BasicSpecValidator implements SpecValidator {

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern OUTPUT = Pattern.compile("^(file:.+|pvc:[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/.*)?)$");

  @Override
  public List<SpecProblem> validate(FederatedFineTune job) {
    List<SpecProblem> out = new ArrayList<>();
    FederatedFineTuneSpec s = job.getSpec();
    if (s == null) {
      out.add(new SpecProblem("spec", "is required"));
      return out;
    }
    if (s.getModel() == null) {
      out.add(new SpecProblem("spec.model", "is required"));
    } else {
      if (s.getModel().getUri() == null || s.getModel().getUri().isBlank()) {
        out.add(new SpecProblem("spec.model.uri", "is required"));
      }
      List<String> labels = s.getModel().getLabels();
      if (labels == null || labels.size() < 2) {
        out.add(new SpecProblem("spec.model.labels", "needs at least 2 class names"));
      } else if (new HashSet<>(labels).size() != labels.size()) {
        out.add(new SpecProblem("spec.model.labels", "labels must be unique"));
      }
    }
    RoundsSpec r = s.getRounds();
    if (r == null) {
      out.add(new SpecProblem("spec.rounds", "is required"));
    } else {
      if (r.getTotal() == null || r.getTotal() < 1 || r.getTotal() > 10000) {
        out.add(new SpecProblem("spec.rounds.total", "must be between 1 and 10000, got " + r.getTotal()));
      }
      if ((r.getLocalSteps() == null) == (r.getLocalEpochs() == null)) {
        out.add(new SpecProblem("spec.rounds", "set exactly one of localSteps or localEpochs"));
      }
      if (r.getLocalSteps() != null && r.getLocalSteps() < 1) {
        out.add(new SpecProblem("spec.rounds.localSteps", "must be >= 1, got " + r.getLocalSteps()));
      }
      if (r.getMinSilos() != null && r.getMinSilos() < 1) {
        out.add(new SpecProblem("spec.rounds.minSilos", "must be >= 1, got " + r.getMinSilos()));
      }
      if (r.getMinSilos() != null && s.getSilos() != null && r.getMinSilos() > s.getSilos().size()) {
        out.add(new SpecProblem("spec.rounds.minSilos", "rounds.minSilos is " + r.getMinSilos() + " but there are only "
            + s.getSilos().size() + " silos"));
      }
      if (r.getLearningRate() != null && !(r.getLearningRate() > 0 && r.getLearningRate() <= 1)) {
        out.add(new SpecProblem("spec.rounds.learningRate", "must be in (0, 1], got " + r.getLearningRate()));
      }
    }
    boolean silos = s.getSilos() != null;
    if (silos == (s.getDevices() != null)) {
      out.add(new SpecProblem("spec", "set exactly one of silos (cross-silo) or devices (cross-device)"));
    }
    if (silos) {
      if (s.getSilos().isEmpty() || s.getSilos().size() > 64) {
        out.add(new SpecProblem("spec.silos", "needs 1 to 64 silos, got " + s.getSilos().size()));
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < s.getSilos().size(); i++) {
        SiloSpec silo = s.getSilos().get(i);
        String at = "spec.silos[" + i + "]";
        if (silo.getName() == null || silo.getName().length() > 63 || !DNS_LABEL.matcher(silo.getName()).matches()) {
          out.add(new SpecProblem(at + ".name", "'" + silo.getName()
              + "' is not a DNS label (lower-case letters, digits and '-', at most 63)"));
        } else if (!seen.add(silo.getName())) {
          out.add(new SpecProblem(at + ".name", "silo name " + silo.getName() + " is used more than once"));
        }
        if (silo.getData() == null || silo.getData().getTrain() == null) {
          out.add(new SpecProblem(at + ".data.train", "is required"));
        }
        if (silo.getWeight() != null && !(silo.getWeight() > 0)) {
          out.add(new SpecProblem(at + ".weight", "must be > 0, got " + silo.getWeight()));
        }
      }
    }
    if (s.getDevices() != null) {
      var d = s.getDevices();
      if (d.getCount() == null || d.getCount() < 1) {
        out.add(new SpecProblem("spec.devices.count", "must be >= 1, got " + d.getCount()));
      } else if (d.getWorkers() != null && d.getWorkers() > d.getCount()) {
        out.add(new SpecProblem("spec.devices.workers", "workers must not exceed count"));
      }
    }
    if (s.getOutput() != null && (s.getOutput().getUri() == null || !OUTPUT.matcher(s.getOutput().getUri()).matches())) {
      out.add(new SpecProblem("spec.output.uri", "must be file:<dir> or pvc:<claim>/<dir>, got '"
          + s.getOutput().getUri() + "'"));
    }
    if (s.getRunPolicy() != null) {
      var p = s.getRunPolicy();
      if (p.getBackoffLimit() != null && p.getBackoffLimit() < 0) {
        out.add(new SpecProblem("spec.runPolicy.backoffLimit", "must be >= 0, got " + p.getBackoffLimit()));
      }
      if (p.getActiveDeadlineSeconds() != null && p.getActiveDeadlineSeconds() < 1) {
        out.add(new SpecProblem("spec.runPolicy.activeDeadlineSeconds", "must be >= 1, got "
            + p.getActiveDeadlineSeconds()));
      }
    }
    return out;
  }
}
