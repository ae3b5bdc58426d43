package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.CleanPodPolicy;
import io.fedtt.api.v1alpha1.RunPolicy;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.core.federation.JobOutcome;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.core.federation.coordinator.AdapterPayload;
import io.fedtt.operator.federation.FederationHost;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Finish: records how the job ended, then looks after an ended job. The end is a typed failure from
 * an earlier step, or the coordinator's {@link JobOutcome} (its kind picks the condition reason; on
 * success the final adapter is written to spec.output first). An ended job's pods are cleaned per
 * runPolicy.cleanPodPolicy, its coordinator released, and the job deleted once
 * ttlSecondsAfterFinished passed. Also the only step of a job that ended in an earlier reconcile.
 */
final class FinishStep implements ReconcileStep {

  private static final System.Logger LOG = System.getLogger(FinishStep.class.getName());
  /** How long running workers of a succeeded job have to exit by themselves before their pods are deleted. */
  static final Duration WORKER_EXIT_GRACE = Duration.ofSeconds(30);

  private final FederationHost host;

  FinishStep(FederationHost host) {
    this.host = host;
  }

  @Override
  public StepResult run(ReconcileContext rc) {
    if (rc.failure != null) {
      return StepResult.stop(fail(rc, rc.failure.reason(), rc.failure.message()));
    }
    if (rc.jobStatus != null && rc.jobStatus.phase().finished()) {
      return StepResult.stop(complete(rc, rc.jobStatus));
    }
    return StepResult.stop(afterEnd(rc));
  }

  /** Failed=True with {@code reason}; returns when to look at the ended job again. */
  private Instant fail(ReconcileContext rc, Reason reason, String message) {
    rc.status.setCondition(ConditionType.Failed, true, reason, message, rc.generation, rc.now);
    rc.status.setCondition(ConditionType.Running, false, reason, message, rc.generation, rc.now);
    rc.status.setCompletionTime(Conditions.timestamp(rc.now));
    host.release(rc.id);
    return afterEnd(rc);
  }

  /** Succeeded=True with the adapter written, or Failed=True as the outcome says. */
  private Instant complete(ReconcileContext rc, JobStatus js) {
    FederatedFineTuneStatus st = rc.status;
    JobOutcome outcome = js.outcome();
    // The last round's participants and examples, before the pods are cleaned up.
    st.setSilos(SiloStatuses.of(rc.job, rc.slots, rc.oldRestarts(), rc.coordinator.history(), false));
    if (js.phase() != JobPhase.SUCCEEDED) {
      return fail(rc, reasonOf(outcome.kind()), outcome.text());
    }
    AdapterPayload p = rc.coordinator.currentAdapter();
    try {
      st.setAdapter(AdapterOutput.write(rc.job, p.body(), p.digest(), host.defaultOutputDir(rc.id)));
    } catch (IOException | RuntimeException e) {
      return fail(rc, Reason.OutputWriteFailed, "cannot write the final adapter to "
          + AdapterOutput.directory(rc.job, host.defaultOutputDir(rc.id)) + ": " + e.getMessage());
    }
    Reason r = reasonOf(outcome.kind());
    st.setCondition(ConditionType.Succeeded, true, r, outcome.message() + "; adapter " + st.getAdapter().getDigest()
        + " at " + st.getAdapter().getLocation(), rc.generation, rc.now);
    st.setCondition(ConditionType.Running, false, r, "finished", rc.generation, rc.now);
    st.setCompletionTime(Conditions.timestamp(rc.now));
    return afterEnd(rc);
  }

  /** The condition reason for each way the coordinator can end a job. */
  static Reason reasonOf(JobOutcome.Kind kind) {
    return switch (kind) {
      case ROUNDS_COMPLETED -> Reason.AllRoundsCompleted;
      case TARGET_ACCURACY_REACHED -> Reason.TargetAccuracyReached;
      case NO_IMPROVEMENT -> Reason.NoImprovement;
      case PRIVACY_BUDGET_EXHAUSTED -> Reason.PrivacyBudgetExhausted;
      case BUDGET_EXHAUSTED -> Reason.BudgetExhausted;
      case ROUND_FAILED -> Reason.QuorumNotReached;
      case INTERNAL_ERROR -> Reason.InternalError;
    };
  }

  /**
   * An ended job: pods cleaned per cleanPodPolicy, coordinator released, ttl applied. After a
   * success, workers that have not ended get {@link #WORKER_EXIT_GRACE}: the job stays hosted so that
   * their next poll hears "done" and they exit 0 by themselves (their pods end Completed, their logs
   * say how the job ended); after that the job is released and what still runs is deleted.
   *
   * @return when to look again (the grace's end, the ttl), or null
   */
  private Instant afterEnd(ReconcileContext rc) {
    RunPolicy policy = rc.job.getSpec() == null ? null : rc.job.getSpec().getRunPolicy();
    CleanPodPolicy clean = policy == null || policy.getCleanPodPolicy() == null ? CleanPodPolicy.ALL
        : policy.getCleanPodPolicy();
    String completed = rc.status.getCompletionTime();
    Instant graceEnd = graceEnd(completed, rc.now);
    boolean grace = inGrace(rc.status, rc.now, graceEnd, rc.slots);
    Instant requeueAt = null;
    if (grace) {
      requeueAt = graceEnd;
    } else {
      host.release(rc.id);
    }
    if (clean != CleanPodPolicy.NONE) {
      List<SlotState> toClean = grace ? rc.slots.stream().filter(s -> !WorkerPods.isActive(s)).toList() : rc.slots;
      WorkerPods.deleteSlots(rc.client, toClean, clean == CleanPodPolicy.RUNNING);
    }
    Integer ttl = policy == null ? null : policy.getTtlSecondsAfterFinished();
    if (ttl != null && completed != null) {
      Instant due = Instant.parse(completed).plusSeconds(ttl);
      if (!rc.now.isBefore(due)) {
        LOG.log(System.Logger.Level.INFO, "job " + rc.id + ": deleting, ttlSecondsAfterFinished=" + ttl + " passed");
        rc.client.resource(rc.job).delete();
        rc.deleted = true;
      } else if (requeueAt == null || due.isBefore(requeueAt)) {
        requeueAt = due;
      }
    }
    return requeueAt;
  }

  /** When the workers' grace ends: {@link #WORKER_EXIT_GRACE} after completion (now, if none is recorded). */
  static Instant graceEnd(String completionTime, Instant now) {
    return completionTime == null ? now : Instant.parse(completionTime).plus(WORKER_EXIT_GRACE);
  }

  /** Whether workers of a succeeded job still have time to exit by themselves. */
  static boolean inGrace(FederatedFineTuneStatus st, Instant now, Instant graceEnd, List<SlotState> slots) {
    return Conditions.isTrue(st.getConditions(), ConditionType.Succeeded) && now.isBefore(graceEnd)
        && slots.stream().anyMatch(WorkerPods::isActive);
  }
}
