package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.api.v1alpha1.status.SiloStatus;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.operator.build.WorkerSlot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One reconcile's working state, handed from step to step: the job, the status it started from and
 * the one being built, what the steps found out on the way (pods, model, tokens, coordinator, its
 * progress), the events to emit and the earliest time to look again. Lives for one reconcile only.
 */
final class ReconcileContext {

  /** The job's secondary resources as the informers see them; read when a step asks. */
  interface Observed {
    List<Pod> pods();

    Optional<Secret> secret();

    static Observed of(Supplier<? extends java.util.Collection<Pod>> pods, Supplier<Optional<Secret>> secret) {
      return new Observed() {
        @Override
        public List<Pod> pods() {
          return new ArrayList<>(pods.get());
        }

        @Override
        public Optional<Secret> secret() {
          return secret.get();
        }
      };
    }
  }

  /** An event to emit after the status is built. */
  record PendingEvent(String type, String reason, String message) {}

  final FederatedFineTune job;
  final JobId id;
  final KubernetesClient client;
  final Observed observed;
  /** The status this reconcile started from (never changed). */
  final FederatedFineTuneStatus old;
  /** The status being built: a copy of {@link #old} the steps update. */
  final FederatedFineTuneStatus status;
  final Instant now;
  final long generation;

  // found out by the steps, in the order they run
  List<SlotState> slots = List.of();
  ModelConfig model;
  List<WorkerSlot> wanted = List.of();
  Map<String, String> tokens = Map.of();
  RoundCoordinator coordinator;
  Accounting accounting;
  JobStatus jobStatus;
  List<RoundRecord> history = List.of();
  StepResult.JobFailure failure;

  final List<PendingEvent> events = new ArrayList<>();
  Instant requeueAt;
  /** The job was deleted (its ttl passed): nothing is left to write. */
  boolean deleted;

  ReconcileContext(FederatedFineTune job, KubernetesClient client, Observed observed, FederatedFineTuneStatus latest,
      Instant now) {
    this.job = job;
    this.id = new JobId(job.getMetadata().getNamespace(), job.getMetadata().getName());
    this.client = client;
    this.observed = observed;
    this.now = now;
    this.generation = Optional.ofNullable(job.getMetadata().getGeneration()).orElse(0L);
    this.old = latest == null ? new FederatedFineTuneStatus() : latest;
    this.status = Serialization.clone(old);
    this.status.setObservedGeneration(generation);
  }

  /** Keeps the earliest of the requested times. */
  void requeueAt(Instant t) {
    if (t != null && (requeueAt == null || t.isBefore(requeueAt))) {
      requeueAt = t;
    }
  }

  void event(String type, String reason, String message) {
    events.add(new PendingEvent(type, reason, message));
  }

  /** The job failed an earlier reconcile because its spec was invalid. */
  boolean invalidBefore() {
    return Conditions.find(old.getConditions(), ConditionType.Failed)
        .filter(c -> Conditions.TRUE.equals(c.getStatus()) && Reason.InvalidSpec.name().equals(c.getReason()))
        .isPresent();
  }

  /**
   * The job ended in an earlier reconcile and stays ended: only its pods, grace and ttl need care.
   * An invalid spec that was edited since (a new generation) is looked at afresh.
   */
  boolean endedBefore() {
    return old.getPhase().isFinished() && !(invalidBefore() && !Objects.equals(old.getObservedGeneration(), generation));
  }

  /** Each silo's restart count as the starting status recorded it (a fresh, mutable map). */
  Map<String, Integer> oldRestarts() {
    Map<String, Integer> m = new HashMap<>();
    if (old.getSilos() != null) {
      for (SiloStatus s : old.getSilos()) {
        if (s.getRestarts() != null) {
          m.put(s.getName(), s.getRestarts());
        }
      }
    }
    return m;
  }

  /** Sets Failed=True/InvalidSpec and Running=False: the job does not start until the spec is fixed. */
  void markInvalid(String message) {
    status.setCondition(ConditionType.Failed, true, Reason.InvalidSpec, message, generation, now);
    status.setCondition(ConditionType.Running, false, Reason.InvalidSpec, "not started: the spec is invalid",
        generation, now);
  }
}
