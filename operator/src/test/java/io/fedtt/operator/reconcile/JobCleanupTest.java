package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.operator.federation.FederationHost;
import io.fedtt.operator.metrics.FedttMetrics;
import io.fedtt.operator.testing.Jobs;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class JobCleanupTest {

  static KubernetesClient client;
  @TempDir
  Path store;

  @Test
  void forgetsTheJobEverywhereAndDeletesItsPodsAndSecret() {
    var job = Jobs.job("clean", "j", 2, "a");
    var other = Jobs.job("clean", "other", 2, "a");
    client.pods().inNamespace("clean").resource(StepFixtures.pod(job, "a", 0, "Running")).create();
    client.pods().inNamespace("clean").resource(StepFixtures.pod(other, "a", 0, "Running")).create();
    new SecretStep().run(StepFixtures.context(job, client, List.of(), null));
    new SecretStep().run(StepFixtures.context(other, client, List.of(), null));

    List<JobId> forgotten = new ArrayList<>();
    Consumer<JobId> memory = forgotten::add;
    try (var host = new FederationHost(null, store, CoordinatorOptions.defaults())) {
      new JobCleanup(host, new FedttMetrics(new PrometheusRegistry()), List.of(memory, memory)).run(job, client);
    }

    assertEquals(List.of(new JobId("clean", "j"), new JobId("clean", "j")), forgotten);
    var pods = client.pods().inNamespace("clean").list().getItems();
    assertEquals(1, pods.size());
    assertTrue(pods.get(0).getMetadata().getName().contains("other"), pods.get(0).getMetadata().getName());
    assertEquals(1, client.secrets().inNamespace("clean").list().getItems().size());
  }

  /** A cluster user can copy the operator's labels onto their own objects: those are not the operator's to delete. */
  @Test
  void leavesObjectsThatOnlyCarryTheJobsLabels() {
    var job = Jobs.job("clean2", "j", 2, "a");
    client.pods().inNamespace("clean2").resource(StepFixtures.pod(job, "a", 0, "Running")).create();
    new SecretStep().run(StepFixtures.context(job, client, List.of(), null));
    var lookalike = StepFixtures.pod(job, "a", 1, "Running");
    lookalike.getMetadata().setName("users-own-pod");
    lookalike.getMetadata().setOwnerReferences(List.of());
    client.pods().inNamespace("clean2").resource(lookalike).create();
    client.secrets().inNamespace("clean2").resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName("users-own-secret")
        .withLabels(io.fedtt.operator.build.Labels.forSecret(job)).endMetadata()
        .addToStringData("k", "v").build()).create();

    try (var host = new FederationHost(null, store, CoordinatorOptions.defaults())) {
      new JobCleanup(host, new FedttMetrics(new PrometheusRegistry()), List.of()).run(job, client);
    }

    assertEquals(List.of("users-own-pod"), client.pods().inNamespace("clean2").list().getItems().stream()
        .map(p -> p.getMetadata().getName()).toList());
    assertEquals(List.of("users-own-secret"), client.secrets().inNamespace("clean2").list().getItems().stream()
        .map(p -> p.getMetadata().getName()).toList());
  }
}
