package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.operator.build.Names;
import io.fedtt.operator.build.TokenSecretBuilder;
import io.fedtt.operator.build.WorkerSlot;
import io.fedtt.operator.build.WorkerSlots;
import java.util.List;
import java.util.Map;

/**
 * Secret: the job's Secret holds one bearer token per worker slot. Existing tokens are kept (running
 * workers hold them); slots without one get a new token. The tokens go on to the coordinator.
 */
final class SecretStep implements ReconcileStep {

  @Override
  public StepResult run(ReconcileContext rc) {
    rc.wanted = WorkerSlots.of(rc.job);
    rc.tokens = ensure(rc, rc.wanted);
    return StepResult.proceed();
  }

  private static Map<String, String> ensure(ReconcileContext rc, List<WorkerSlot> slots) {
    FederatedFineTune job = rc.job;
    String ns = job.getMetadata().getNamespace();
    // The informer may not have seen a Secret written by the previous reconcile yet.
    Secret existing = rc.observed.secret().orElse(null);
    if (existing == null) {
      existing = rc.client.secrets().inNamespace(ns).withName(Names.secret(job)).get();
    }
    if (existing != null && TokenSecretBuilder.covers(existing, slots)) {
      return TokenSecretBuilder.tokens(existing);
    }
    Secret wanted = TokenSecretBuilder.build(job, slots, TokenSecretBuilder.tokens(existing), TokenRegistry::newToken);
    Secret written = existing == null
        ? rc.client.secrets().inNamespace(ns).resource(wanted).create()
        : rc.client.secrets().inNamespace(ns).resource(wanted).update();
    return TokenSecretBuilder.tokens(written);
  }
}
