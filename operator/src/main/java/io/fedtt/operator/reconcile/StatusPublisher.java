package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.operator.metrics.FedttMetrics;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;

/**
 * The end of every reconcile: events for conditions that turned true (and the ones the steps
 * queued), the job's metrics, the status written only when it changed (server-side apply through
 * JOSDK, or replaced by the {@link StatusWriter} where the API server cannot apply), and the requeue.
 */
final class StatusPublisher {

  private final FedttMetrics metrics;
  private final StatusWriter statusWriter;
  private final Clock clock;
  private final boolean ssa;

  StatusPublisher(FedttMetrics metrics, StatusWriter statusWriter, Clock clock, boolean serverSideApply) {
    this.metrics = metrics;
    this.statusWriter = statusWriter;
    this.clock = clock;
    this.ssa = serverSideApply;
  }

  UpdateControl<FederatedFineTune> publish(ReconcileContext rc) {
    if (rc.deleted) {
      return UpdateControl.noUpdate();
    }
    FederatedFineTuneStatus old = rc.old;
    FederatedFineTuneStatus st = rc.status;
    EventRecorder recorder = new EventRecorder(rc.client, clock);
    for (ConditionType t : ConditionType.values()) {
      boolean was = Conditions.isTrue(old.getConditions(), t);
      boolean is = Conditions.isTrue(st.getConditions(), t);
      if (is && !was) {
        var c = Conditions.find(st.getConditions(), t).orElseThrow();
        recorder.record(rc.job, t == ConditionType.Failed ? EventRecorder.WARNING : EventRecorder.NORMAL, c.getReason(),
            c.getMessage() == null ? t.name() : c.getMessage());
      }
    }
    for (ReconcileContext.PendingEvent e : rc.events) {
      recorder.record(rc.job, e.type(), e.reason(), e.message());
    }
    metrics.update(rc.id, st);
    UpdateControl<FederatedFineTune> control;
    if (st.equals(old)) {
      control = UpdateControl.noUpdate();
    } else if (ssa) {
      control = UpdateControl.patchStatus(statusPatch(rc.job, st));
    } else {
      statusWriter.write(rc.client, rc.id, rc.job, old, st);
      control = UpdateControl.noUpdate();
    }
    if (rc.requeueAt != null) {
      control.rescheduleAfter(Math.max(1, Duration.between(rc.now, rc.requeueAt).toMillis()));
    }
    return control;
  }

  /** With server-side apply: a fresh object holding only name, namespace and status (JOSDK samples). */
  private static FederatedFineTune statusPatch(FederatedFineTune job, FederatedFineTuneStatus st) {
    FederatedFineTune out = new FederatedFineTune();
    out.setMetadata(new ObjectMetaBuilder()
        .withName(job.getMetadata().getName()).withNamespace(job.getMetadata().getNamespace()).build());
    out.setStatus(st);
    return out;
  }
}
