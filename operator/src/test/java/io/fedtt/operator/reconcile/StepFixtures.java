package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.build.Names;
import io.fedtt.operator.build.WorkerSlot;
import io.fedtt.operator.build.WorkerSlots;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Contexts, pods and coordinator states for testing one reconcile step on its own. */
final class StepFixtures {

  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  private StepFixtures() {}

  /** A context whose informers see {@code pods} and no Secret. */
  static ReconcileContext context(FederatedFineTune job, KubernetesClient client, List<Pod> pods,
      FederatedFineTuneStatus status) {
    return context(job, client, pods, status, NOW);
  }

  /** The same, at {@code now}. */
  static ReconcileContext context(FederatedFineTune job, KubernetesClient client, List<Pod> pods,
      FederatedFineTuneStatus status, Instant now) {
    List<Pod> seen = new ArrayList<>(pods);
    return new ReconcileContext(job, client, ReconcileContext.Observed.of(() -> seen, Optional::<Secret>empty),
        status, now);
  }

  /** A context for steps that touch no cluster. */
  static ReconcileContext context(FederatedFineTune job, FederatedFineTuneStatus status) {
    return context(job, null, List.of(), status);
  }

  static WorkerSlot slot(FederatedFineTune job, String name) {
    return WorkerSlots.of(job).stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  /** A worker pod of {@code slot} as the pod builder names and labels it, in {@code phase} (null: just created). */
  static Pod pod(FederatedFineTune job, String slot, int attempt, String phase) {
    WorkerSlot s = slot(job, slot);
    return new PodBuilder().withNewMetadata().withName(Names.pod(job, s, attempt))
        .withNamespace(job.getMetadata().getNamespace()).withLabels(Labels.forWorker(job, s))
        .addToLabels(Labels.ATTEMPT, Integer.toString(attempt))
        .withOwnerReferences(io.fedtt.operator.build.OwnerRefs.controller(job)).endMetadata()
        .withNewSpec().addNewContainer().withName("worker").withImage("worker:test").endContainer().endSpec()
        .withNewStatus().withPhase(phase).endStatus().build();
  }

  static JobStatus running(int round, int total) {
    return new JobStatus("ns/job", JobPhase.RUNNING, null, round, 0, total, round - 1, 0, 0, 0L, Double.NaN,
        Double.NaN, 0L, 0L, "");
  }

  static FederatedFineTuneStatus withCondition(ConditionType type, boolean value, io.fedtt.api.v1alpha1.status.Reason reason) {
    FederatedFineTuneStatus st = new FederatedFineTuneStatus();
    st.setCondition(type, value, reason, "", 1L, NOW.minusSeconds(60));
    return st;
  }

  static boolean isTrue(ReconcileContext rc, ConditionType type) {
    return Conditions.isTrue(rc.status.getConditions(), type);
  }

  static String reason(ReconcileContext rc, ConditionType type) {
    return Conditions.find(rc.status.getConditions(), type).orElseThrow().getReason();
  }
}
