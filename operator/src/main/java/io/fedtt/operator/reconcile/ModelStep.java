package io.fedtt.operator.reconcile;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.mapping.ModelShapes;
import io.fedtt.api.mapping.ModelShapes.Outcome;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.ModelStatus;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.model.DeclaredArchitecture;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Model: the shape of the job's base model, which the initial adapter is laid out on. A builtin: model's
 * preset; else the model's own config.json, read by the operator (file:, hf:, https:;
 * {@link ModelShapes}) or, for pvc:, by a short probe pod ({@link ModelProbe}; Running=False/ProbingModel
 * meanwhile). A declared spec.model.architecture must match it field by field; a difference, an
 * unsupported model, a causal-lm job on a BERT-family model or an adapter that does not fit the model is
 * InvalidSpec. A network failure is Running=False/ModelUnavailable and retried. The shape found is kept
 * in status.model under the model reference (uri and revision; spec.model cannot change), so later
 * reconciles and a restarted operator use it without reading again.
 */
final class ModelStep implements ReconcileStep {

  private final ReconcilerSettings settings;
  private final ModelProbe probe;
  /** When each job may fetch or probe again after a failure that is worth another try. */
  private final Map<JobId, Instant> retryAt = new ConcurrentHashMap<>();

  ModelStep(ReconcilerSettings settings) {
    this.settings = settings;
    this.probe = new ModelProbe(settings);
  }

  @Override
  public StepResult run(ReconcileContext rc) {
    FederatedFineTuneSpec spec = rc.job.getSpec();
    String ref;
    try {
      ref = ModelShapes.reference(spec);
    } catch (IllegalArgumentException e) {
      rc.markInvalid("spec.model.revision: " + e.getMessage());
      return StepResult.stop();
    }
    Outcome outcome = cached(rc, ref);
    boolean fresh = outcome == null;
    if (fresh) {
      Instant retry = retryAt.get(rc.id);
      if (retry != null && rc.now.isBefore(retry)) {
        return StepResult.stop(retry);
      }
      outcome = ModelShapes.resolve(spec, settings.models().fetcher());
      if (outcome instanceof Outcome.NeedsProbe p) {
        ModelProbe.Result r = probe.run(rc, p.claim(), p.path());
        if (r instanceof ModelProbe.Result.Pending pending) {
          waiting(rc, Reason.ProbingModel, "the model's shape is not known yet: " + pending.message(),
              pending.created() ? EventRecorder.NORMAL : null);
          return StepResult.stop(pending.checkAt());
        }
        if (r instanceof ModelProbe.Result.Done d) {
          outcome = ModelShapes.found(spec, d.found(), ModelStatus.Source.PROBE);
        } else if (r instanceof ModelProbe.Result.Failed f) {
          outcome = new Outcome.Invalid("spec.model.uri", f.message());
        } else {
          outcome = declaredOr(spec, ((ModelProbe.Result.TimedOut) r).message());
        }
      }
    }
    if (outcome instanceof Outcome.Known k) {
      return known(rc, ref, k, fresh);
    }
    if (outcome instanceof Outcome.Unavailable u) {
      Instant retry = rc.now.plus(settings.models().retryDelay());
      retryAt.put(rc.id, retry);
      waiting(rc, Reason.ModelUnavailable, u.message() + "; trying again at " + Conditions.timestamp(retry),
          EventRecorder.WARNING);
      return StepResult.stop(retry);
    }
    rc.markInvalid(outcome.toString()); // Invalid: NeedsProbe was answered above
    return StepResult.stop();
  }

  private StepResult known(ReconcileContext rc, String ref, Outcome.Known k, boolean fresh) {
    retryAt.remove(rc.id);
    probe.cleanup(rc);
    if (rc.job.getSpec().getModel().getArchitecture() == null && k.source() != ModelStatus.Source.BUILTIN) {
      // Validation could not lay the adapter out without a shape; now it can.
      List<SpecProblem> problems = ManifestValidator.modelProblems(rc.job, k.model()).stream()
          .map(p -> new SpecProblem(p.path(), p.message())).toList();
      if (!problems.isEmpty()) {
        rc.markInvalid(ValidateStep.describe(problems));
        return StepResult.stop();
      }
    }
    ModelStatus st = new ModelStatus();
    st.setUri(ref);
    st.setSource(k.source());
    st.setArchitecture(FederationJobMapper.architecture(k.model()));
    st.setMessage(k.note());
    ModelStatus old = rc.old.getModel();
    st.setObservedGeneration(old != null && Objects.equals(old.getUri(), ref) && old.getSource() == k.source()
        && Objects.equals(old.getArchitecture(), st.getArchitecture()) && old.getObservedGeneration() != null
        ? old.getObservedGeneration() : rc.generation);
    rc.status.setModel(st);
    if (fresh) {
      if (k.source() == ModelStatus.Source.DECLARED) {
        rc.event(EventRecorder.WARNING, "ModelConfigUnread", "spec.model.architecture is used as given: " + k.note());
      } else if (k.source() != ModelStatus.Source.BUILTIN) {
        rc.event(EventRecorder.NORMAL, "ModelRead", describe(ref, k));
      }
    }
    rc.model = k.model();
    return StepResult.proceed();
  }

  /** The shape kept in status.model for this model reference, checked against the spec as it is now; else null. */
  private static Outcome cached(ReconcileContext rc, String ref) {
    ModelStatus st = rc.old.getModel();
    if (st == null || !ref.equals(st.getUri()) || st.getSource() == null || st.getArchitecture() == null) {
      return null;
    }
    FederatedFineTuneSpec spec = rc.job.getSpec();
    ModelConfig kept;
    try {
      kept = FederationJobMapper.modelConfig(st.getArchitecture(), 0);
    } catch (IllegalArgumentException e) {
      return null; // not a shape this operator wrote: read afresh
    }
    if (st.getSource() == ModelStatus.Source.DECLARED) {
      Optional<ModelConfig> declared = Optional.ofNullable(spec.getModel().getArchitecture())
          .map(a -> FederationJobMapper.modelConfig(a, FederationJobMapper.numLabels(spec)));
      return declared.isPresent() && DeclaredArchitecture.differences(declared.get(), kept).isEmpty()
          ? new Outcome.Known(declared.get(), ModelStatus.Source.DECLARED, st.getMessage()) : null;
    }
    return ModelShapes.found(spec, kept, st.getSource());
  }

  private static Outcome declaredOr(FederatedFineTuneSpec spec, String why) {
    if (spec.getModel().getArchitecture() != null) {
      return new Outcome.Known(FederationJobMapper.modelConfig(spec).orElseThrow(), ModelStatus.Source.DECLARED,
          "config.json not read: " + why + "; the workers check spec.model.architecture");
    }
    return new Outcome.Unavailable(why);
  }

  /** Running=False with {@code reason}; an event of {@code eventType} (null: none) when the message is new. */
  private static void waiting(ReconcileContext rc, Reason reason, String message, String eventType) {
    boolean same = Conditions.find(rc.old.getConditions(), ConditionType.Running)
        .filter(c -> reason.name().equals(c.getReason()) && message.equals(c.getMessage())).isPresent();
    rc.status.setCondition(ConditionType.Running, false, reason, message, rc.generation, rc.now);
    if (!same && eventType != null) {
      rc.event(eventType, reason.name(), message);
    }
  }

  private static String describe(String ref, Outcome.Known k) {
    ModelConfig m = k.model();
    return String.format(java.util.Locale.ROOT, "%s of %s: %s, hidden %d, %d layers, %d heads (%d key/value),"
            + " FFN %d, vocabulary %d", k.source() == ModelStatus.Source.PROBE ? "config.json (probe pod)" : "config.json",
        ref, m.family(), m.hiddenSize(), m.numLayers(), m.numHeads(), m.numKeyValueHeads(), m.intermediateSize(),
        m.vocabSize());
  }

  /** The job's resource is gone. */
  void forget(JobId id) {
    retryAt.remove(id);
  }
}
