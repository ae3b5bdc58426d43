package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.core.federation.JobId;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.federation.FederationHost;
import io.fedtt.operator.metrics.FedttMetrics;
import java.util.List;
import java.util.function.Consumer;

/**
 * Clean-up, when the job's resource is deleted: its round state, metric series and everything the
 * operator remembers about it go, and its pods and Secret are deleted now (owner references let the
 * garbage collector do this too; deleting at once frees the nodes sooner).
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
    client.pods().inNamespace(id.namespace()).withLabels(Labels.forWorkerSelectorMap(job)).delete();
    client.secrets().inNamespace(id.namespace()).withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
        .withLabel(Labels.JOB, Labels.value(id.name())).delete();
  }
}
