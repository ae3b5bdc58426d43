package io.fedtt.operator.reconcile;

import static io.fedtt.operator.reconcile.StepFixtures.isTrue;
import static io.fedtt.operator.reconcile.StepFixtures.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.operator.federation.FederationHost;
import io.fedtt.operator.testing.Jobs;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class SuspendStepTest {

  static KubernetesClient client;
  @TempDir
  Path store;

  @Test
  void suspendingDeletesThePodsAndKeepsGoingNoFurther() {
    var job = Jobs.job("susp", "j", 3, "a");
    job.getSpec().setSuspend(true);
    Pod a = client.pods().inNamespace("susp").resource(StepFixtures.pod(job, "a", 0, "Running")).create();
    var rc = StepFixtures.context(job, client, List.of(a), null);
    rc.status.setStartTime(Conditions.timestamp(StepFixtures.NOW));
    new ObserveStep().run(rc);
    try (var host = new FederationHost(null, store, CoordinatorOptions.defaults())) {
      assertEquals(StepResult.Flow.STOP, new SuspendStep(host).run(rc).flow());
    }
    assertNull(client.pods().inNamespace("susp").withName(a.getMetadata().getName()).get());
    assertTrue(isTrue(rc, ConditionType.Suspended));
    assertEquals("SuspendedByUser", reason(rc, ConditionType.Running));
    assertNull(rc.status.getStartTime());
    assertEquals("Suspended", rc.status.getSilos().get(0).getReason());
  }

  @Test
  void resumingSaysSoAndGoesOn() {
    var job = Jobs.job("susp", "k", 3, "a");
    var rc = StepFixtures.context(job, client, List.of(),
        StepFixtures.withCondition(ConditionType.Suspended, true, Reason.SuspendedByUser));
    try (var host = new FederationHost(null, store, CoordinatorOptions.defaults())) {
      assertEquals(StepResult.Flow.CONTINUE, new SuspendStep(host).run(rc).flow());
    }
    assertFalse(isTrue(rc, ConditionType.Suspended));
    assertEquals("Resumed", reason(rc, ConditionType.Suspended));
  }
}
