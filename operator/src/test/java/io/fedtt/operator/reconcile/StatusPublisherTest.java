package io.fedtt.operator.reconcile;

import static io.fedtt.operator.reconcile.StepFixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.operator.metrics.FedttMetrics;
import io.fedtt.operator.testing.Jobs;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class StatusPublisherTest {

  static KubernetesClient client;

  private static StatusPublisher publisher(boolean ssa) {
    return new StatusPublisher(new FedttMetrics(new PrometheusRegistry()), new StatusWriter(),
        Clock.fixed(NOW, ZoneOffset.UTC), ssa);
  }

  private static int events(String ns) {
    return client.v1().events().inNamespace(ns).list().getItems().size();
  }

  @Test
  void anUnchangedStatusIsNotWrittenAndRaisesNoEvent() {
    var job = Jobs.job("pub1", "j", 2, "a");
    var rc = StepFixtures.context(job, client, List.of(), StepFixtures.withCondition(ConditionType.Created, true,
        Reason.ResourcesCreated));
    rc.status.setObservedGeneration(null);
    var control = publisher(true).publish(rc);
    assertFalse(control.isPatchStatus());
    assertFalse(control.getScheduleDelay().isPresent());
    assertEquals(0, events("pub1"));
  }

  @Test
  void withServerSideApplyTheStatusGoesOutOnAFreshObjectWithAnEventPerNewCondition() {
    var job = Jobs.job("pub2", "j", 2, "a");
    var rc = StepFixtures.context(job, client, List.of(), null);
    rc.status.setCondition(ConditionType.Failed, true, Reason.InvalidSpec, "bad", 1L, NOW);
    rc.event(EventRecorder.WARNING, "WorkerFailed", "pod p failed");
    rc.requeueAt(NOW.plusSeconds(5));
    var control = publisher(true).publish(rc);
    assertTrue(control.isPatchStatus());
    var patch = control.getResource().orElseThrow();
    assertEquals("j", patch.getMetadata().getName());
    assertEquals("pub2", patch.getMetadata().getNamespace());
    assertEquals(null, patch.getMetadata().getResourceVersion());
    assertEquals(rc.status, patch.getStatus());
    assertEquals(5000L, control.getScheduleDelay().orElseThrow());
    var reasons = client.v1().events().inNamespace("pub2").list().getItems().stream().map(e -> e.getReason()).sorted().toList();
    assertEquals(List.of("InvalidSpec", "WorkerFailed"), reasons);
  }

  @Test
  void aDeletedJobGetsNothing() {
    var rc = StepFixtures.context(Jobs.job("pub3", "j", 2, "a"), client, List.of(), null);
    rc.status.setCondition(ConditionType.Failed, true, Reason.InvalidSpec, "bad", 1L, NOW);
    rc.deleted = true;
    var control = publisher(true).publish(rc);
    assertFalse(control.isPatchStatus());
    assertEquals(0, events("pub3"));
  }
}
