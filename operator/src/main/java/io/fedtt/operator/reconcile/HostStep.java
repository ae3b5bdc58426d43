package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.store.StoreCorruptedException;
import io.fedtt.operator.build.WorkerSlots;
import io.fedtt.operator.federation.FederationHost;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Host: the job's coordinator is hosted on the federation endpoint (resumed from its store after an
 * operator restart or a suspend; re-opened when the parts of the spec it is built from change), with
 * the Secret's tokens. Also keeps the job's {@link Accounting}, computed once per job, and marks the
 * job started and created.
 */
final class HostStep implements ReconcileStep {

  private final FederationHost host;
  private final Map<JobId, Accounting> accounting = new ConcurrentHashMap<>();

  HostStep(FederationHost host) {
    this.host = host;
  }

  @Override
  public StepResult run(ReconcileContext rc) {
    FederatedFineTune job = rc.job;
    ModelConfig m = rc.model;
    try {
      rc.coordinator = host.ensure(rc.id, coordinatorKey(job), () -> FederationJobMapper.jobSpec(rc.id, job.getSpec(), m),
          rc.tokens, WorkerSlots.actsFor(job, rc.wanted));
      rc.accounting = accounting.computeIfAbsent(rc.id, k -> Accounting.of(job.getSpec(), m));
    } catch (IllegalArgumentException e) {
      rc.markInvalid("spec: " + e.getMessage());
      return StepResult.stop();
    } catch (StoreCorruptedException e) {
      return StepResult.fail(Reason.InternalError, "the job's round store is damaged: " + e.getMessage());
    }
    var st = rc.status;
    if (st.getStartTime() == null) {
      st.setStartTime(Conditions.timestamp(rc.now));
    }
    if (!Conditions.isTrue(st.getConditions(), ConditionType.Created)) {
      st.setCondition(ConditionType.Created, true, Reason.ResourcesCreated, "token Secret and " + rc.wanted.size()
          + " worker pod(s) created", rc.generation, rc.now);
      EvaluationNotice.of(job.getSpec()).ifPresent(why -> rc.event(EventRecorder.WARNING, EvaluationNotice.REASON, why));
    }
    return StepResult.proceed();
  }

  /** The job's resource is gone. */
  void forget(JobId id) {
    accounting.remove(id);
  }

  /** The spec fields the coordinator is built from; suspend, runPolicy or template edits leave it alone. */
  static String coordinatorKey(FederatedFineTune job) {
    var s = job.getSpec();
    return Serialization.asJson(Arrays.asList(s.getModel(), s.getAdapter(), s.getMethod(), s.getRounds(),
        s.getSilos() == null ? null : s.getSilos().stream().map(x -> x.getName() + "=" + x.getWeight()).toList(),
        s.getDevices()));
  }
}
