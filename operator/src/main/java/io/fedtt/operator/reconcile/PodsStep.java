package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.RunPolicy;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.api.v1alpha1.status.SiloStatus;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.core.job.JobDefaults;
import io.fedtt.operator.build.WorkerPodBuilder;
import io.fedtt.operator.build.WorkerSlot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pods: worker failures are counted against runPolicy.backoffLimit (a Warning event for each new
 * one; over the limit the job fails), failed pods are replaced after the {@link Backoff} delay (and
 * deleted once the replacement exists), missing ones created; then each silo's status and the
 * Running condition.
 */
final class PodsStep implements ReconcileStep {

  private final ReconcilerSettings settings;
  /** When each slot's latest failure was first seen (job/slot), for the recreation backoff. */
  private final Map<String, Instant> failedAt = new ConcurrentHashMap<>();

  PodsStep(ReconcilerSettings settings) {
    this.settings = settings;
  }

  @Override
  public StepResult run(ReconcileContext rc) {
    FederatedFineTune job = rc.job;
    RunPolicy policy = job.getSpec().getRunPolicy();
    int backoffLimit = policy == null || policy.getBackoffLimit() == null ? JobDefaults.BACKOFF_LIMIT
        : policy.getBackoffLimit();
    PodFailures failures = PodFailures.count(rc.slots, rc.oldRestarts());
    int total = failures.total();
    for (SlotState s : failures.newlyFailed()) {
      if (failedAt.putIfAbsent(key(rc.id, s.slot()), rc.now) != null) {
        continue; // already reported: the status this reconcile read is behind the one written
      }
      String why = s.problem().map(p -> p.reason() + ": " + p.message()).orElse("failed");
      rc.event(EventRecorder.WARNING, "WorkerFailed", "pod " + s.pod().getMetadata().getName() + " of "
          + s.slot().name() + " failed (" + why + "); failure " + total + " of backoffLimit " + backoffLimit);
    }
    if (total > backoffLimit) {
      rc.status.setSilos(SiloStatuses.of(job, rc.slots, failures.restarts(), rc.history, false));
      return StepResult.fail(Reason.BackoffLimitExceeded, total + " worker pod failure(s) exceed runPolicy.backoffLimit="
          + backoffLimit + "; last: " + failures.failed().stream().map(s -> s.slot().name() + " "
              + s.problem().map(PodProblem::reason).orElse("failed")).toList());
    }
    Instant requeueAt = null;
    List<SlotState> current = new ArrayList<>();
    for (SlotState s : rc.slots) {
      WorkerPods.delete(rc.client, s.stale());
      if (s.kind() != SlotState.Kind.FAILED && s.kind() != SlotState.Kind.MISSING) {
        current.add(s);
        continue;
      }
      int attempt = failures.restartsOf(s.slot().name());
      Instant since = failedAt.get(key(rc.id, s.slot()));
      Instant due = since == null ? rc.now : since.plus(settings.backoff().delay(attempt));
      if (!rc.now.isBefore(due)) {
        Pod pod = WorkerPodBuilder.build(job, s.slot(), attempt, settings.pods(), rc.model);
        WorkerPods.create(rc.client, pod);
        // The failed pod goes only now that its successor exists: until then it is what the attempt
        // number is counted from (the status's count can lag in the informer's cache, and a count
        // lost there reused the failed pod's name). Watch events arrive in order, so a cache that no
        // longer has the failed pod already has its successor.
        if (s.kind() == SlotState.Kind.FAILED) {
          WorkerPods.delete(rc.client, List.of(s.pod()));
        }
        failedAt.remove(key(rc.id, s.slot()));
        current.add(new SlotState(s.slot(), pod, attempt, SlotState.Kind.PENDING, Optional.empty(), List.of()));
      } else {
        requeueAt = requeueAt == null || due.isBefore(requeueAt) ? due : requeueAt;
        current.add(new SlotState(s.slot(), null, s.attempt(), SlotState.Kind.MISSING, s.problem(), List.of()));
      }
    }
    List<SiloStatus> silos = SiloStatuses.of(job, current, failures.restarts(), rc.history, false);
    for (SiloStatus s : silos) {
      SiloStatus before = rc.old.getSilos() == null ? null : rc.old.getSilos().stream()
          .filter(o -> s.getName().equals(o.getName())).findFirst().orElse(null);
      if (s.getReason() != null && (before == null || !s.getReason().equals(before.getReason()))) {
        rc.event(EventRecorder.WARNING, s.getReason(), "silo " + s.getName() + ": " + s.getMessage());
      }
    }
    rc.status.setSilos(silos);
    setRunning(rc, current.stream().anyMatch(s -> s.kind() == SlotState.Kind.RUNNING));
    return StepResult.proceed(requeueAt);
  }

  /** Running=True once a worker runs (the round in progress), else False/WaitingForSilos. */
  private static void setRunning(ReconcileContext rc, boolean anyRunning) {
    JobStatus js = rc.jobStatus;
    if (anyRunning) {
      rc.status.setCondition(ConditionType.Running, true, Reason.RoundInProgress, "round " + js.round() + " of "
          + js.totalRounds() + (js.attempt() > 0 ? " (try " + (js.attempt() + 1) + ")" : ""), rc.generation, rc.now);
    } else {
      rc.status.setCondition(ConditionType.Running, false, Reason.WaitingForSilos, "waiting for worker pods to run (round "
          + js.round() + " of " + js.totalRounds() + ")", rc.generation, rc.now);
    }
  }

  /** The job's resource is gone. */
  void forget(JobId id) {
    failedAt.keySet().removeIf(k -> k.startsWith(id + "/"));
  }

  private static String key(JobId id, WorkerSlot slot) {
    return id + "/" + slot.name();
  }
}
