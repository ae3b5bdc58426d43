package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.operator.testing.Jobs;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ObserveStepTest {

  static KubernetesClient client;

  private Pod created(Pod p) {
    return client.pods().inNamespace(p.getMetadata().getNamespace()).resource(p).create();
  }

  @Test
  void eachWantedSlotWithItsNewestPodAndPodsOfRemovedSilosDeleted() {
    var before = Jobs.job("obs", "j", 2, "a", "b", "gone");
    Pod a0 = created(StepFixtures.pod(before, "a", 0, "Failed"));
    Pod a1 = created(StepFixtures.pod(before, "a", 1, "Running"));
    Pod gone = created(StepFixtures.pod(before, "gone", 0, "Running"));
    var job = Jobs.job("obs", "j", 2, "a", "b");

    var rc = StepFixtures.context(job, client, List.of(a0, a1, gone), null);
    assertEquals(StepResult.Flow.CONTINUE, new ObserveStep().run(rc).flow());

    assertEquals(List.of("a", "b"), rc.slots.stream().map(s -> s.slot().name()).toList());
    SlotState a = rc.slots.get(0);
    assertEquals(1, a.attempt());
    assertEquals(SlotState.Kind.RUNNING, a.kind());
    assertEquals(List.of(a0.getMetadata().getName()), a.stale().stream().map(p -> p.getMetadata().getName()).toList());
    assertEquals(SlotState.Kind.MISSING, rc.slots.get(1).kind());
    assertNull(client.pods().inNamespace("obs").withName(gone.getMetadata().getName()).get());
    // observing deletes nothing else: a's stale pod is the pods step's business
    assertEquals(a0.getMetadata().getName(), client.pods().inNamespace("obs").withName(a0.getMetadata().getName()).get()
        .getMetadata().getName());
  }

  @Test
  void aSpecWhoseSlotsCannotBeWorkedOutHasNone() {
    var job = Jobs.job("obs", "k", 2, "a");
    job.getSpec().setSilos(null);
    job.getSpec().setDevices(null);
    var rc = StepFixtures.context(job, client, List.of(), null);
    new ObserveStep().run(rc);
    assertEquals(List.of(), rc.slots);
  }
}
