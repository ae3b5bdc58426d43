package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.core.federation.JobId;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.federation.FederationHost;
import io.fedtt.operator.metrics.FedttMetrics;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Clean-up, when the job's resource is deleted: its round state, metric series and everything the
 * operator remembers about it go, and its pods and Secret are deleted now (owner references let the
 * garbage collector do this too; deleting at once frees the nodes sooner). Only objects this job
 * controls (an owner reference with its uid) are deleted: labels alone prove nothing, since anyone
 * who may create pods or Secrets in the namespace can copy them.
 */
final class JobCleanup {

  private final FederationHost host;
  private final FedttMetrics metrics;
  /** What the steps and the status writer remember per job. */
  private final List<Consumer<JobId>> memories;

  JobCleanup(FederationHost host, FedttMetrics metrics, List<Consumer<JobId>> memories) {
    this.host = host;
    this.metrics = metrics;
    this.memories = List.copyOf(memories);
  }

  void run(FederatedFineTune job, KubernetesClient client) {
    JobId id = new JobId(job.getMetadata().getNamespace(), job.getMetadata().getName());
    host.forget(id);
    metrics.remove(id);
    memories.forEach(m -> m.accept(id));
    // Worker pods and the model probe pod (the API server's garbage collector would delete them too, later).
    for (Map<String, String> selector : List.of(Labels.forWorkerSelectorMap(job), Labels.forModelProbe(job))) {
      for (Pod p : client.pods().inNamespace(id.namespace()).withLabels(selector).list().getItems()) {
        if (controlledBy(p, job)) {
          delete(() -> client.pods().inNamespace(id.namespace()).withName(p.getMetadata().getName()).delete());
        }
      }
    }
    for (Secret s : client.secrets().inNamespace(id.namespace()).withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
        .withLabel(Labels.JOB, Labels.value(id.name())).list().getItems()) {
      if (controlledBy(s, job)) {
        delete(() -> client.secrets().inNamespace(id.namespace()).withName(s.getMetadata().getName()).delete());
      }
    }
  }

  /** Whether {@code o} names {@code job} as its controlling owner (by uid; by kind and name when the job has none). */
  static boolean controlledBy(HasMetadata o, FederatedFineTune job) {
    List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
    if (refs == null) {
      return false;
    }
    String uid = job.getMetadata().getUid();
    return refs.stream().anyMatch(r -> Boolean.TRUE.equals(r.getController()) && job.getKind().equals(r.getKind())
        && (uid != null ? uid.equals(r.getUid()) : job.getMetadata().getName().equals(r.getName())));
  }

  private static void delete(Runnable delete) {
    try {
      delete.run();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }
}
