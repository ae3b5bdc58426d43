package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.coordinator.CoordinatorSnapshot;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.tensor.Digest;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.OperatorHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class JobLifecycleTest {

  static KubernetesClient client;
  @TempDir
  static Path store;
  static OperatorHarness h;

  @BeforeAll
  static void start() {
    h = OperatorHarness.start(client, store, OperatorSettings.forTests(store)
        .withBackoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2))), new FakeWorker());
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void jobRunsToSucceededWithTheCoordinatorsFigures() throws Exception {
    h.create(Jobs.job("team-a", "spam", 3, "alpha", "beta", "gamma"));
    FederatedFineTune done = h.awaitPhase("team-a", "spam", Phase.Succeeded, Duration.ofSeconds(60));
    FederatedFineTuneStatus st = done.getStatus();

    CoordinatorSnapshot saved = CoordinatorSnapshot.fromJson(
        FileRoundStore.forJob(store.resolve("jobs"), new JobId("team-a", "spam")).loadState().orElseThrow(), "test");
    assertEquals(3, saved.completedRounds());
    assertEquals(3, st.getRound().getCompleted());
    assertEquals(3, st.getRound().getTotal());
    // The totals are the coordinator's live counters when the job finished. Its saved snapshot can
    // lag them by the bytes of the upload that closed the last round (counted after the save), and
    // by the final "done" answers: the status is never below the snapshot, and at most that above it.
    long oneUpload = saved.history().get(saved.history().size() - 1).bytesUp() / 3 + 1;
    assertTrue(st.getCommunication().getBytesUp() >= saved.bytesUp()
        && st.getCommunication().getBytesUp() <= saved.bytesUp() + oneUpload, st.getCommunication() + " vs " + saved.bytesUp());
    assertTrue(st.getCommunication().getBytesDown() >= saved.bytesDown()
        && st.getCommunication().getBytesDown() <= saved.bytesDown() + 3 * 1024, st.getCommunication() + " vs " + saved.bytesDown());
    assertTrue(st.getCommunication().getBytesUp() > 0);
    assertEquals(List.of(1, 2, 3), st.getHistory().stream().map(r -> r.getRound()).toList());
    for (int i = 0; i < 3; i++) {
      var rec = saved.history().stream().filter(r -> r.completed()).toList().get(i);
      var shown = st.getHistory().get(i);
      assertEquals(rec.participants().size(), shown.getParticipants());
      assertEquals(rec.bytesUp(), shown.getBytesUp());
      assertEquals(rec.accuracy(), shown.getAccuracy(), 1e-12);
    }
    assertEquals(0.8, st.getMetrics().getAccuracy(), 1e-9);
    assertEquals(0.8, st.getMetrics().getBestAccuracy(), 1e-9);
    assertTrue(st.getCommunication().getReductionVsLora() > 1, "TT exchanges less than LoRA: " + st.getCommunication());

    // The final adapter is where status says, with the digest status gives.
    String location = st.getAdapter().getLocation();
    assertTrue(location.startsWith("file:"), location);
    byte[] adapter = Files.readAllBytes(Path.of(location.substring(5)));
    assertEquals("sha256:" + Digest.sha256Hex(adapter), st.getAdapter().getDigest());
    assertEquals("sha256:" + saved.globalDigest(), st.getAdapter().getDigest());

    assertEquals(Reason.AllRoundsCompleted.name(),
        Conditions.find(st.getConditions(), ConditionType.Succeeded).orElseThrow().getReason());
    assertTrue(Conditions.isTrue(st.getConditions(), ConditionType.Created));
    assertEquals(done.getMetadata().getGeneration(), st.getObservedGeneration());
    assertNotNull(st.getStartTime());
    assertNotNull(st.getCompletionTime());
    assertEquals(3, st.getSilos().size());

    // cleanPodPolicy All: the workers are gone; the Secret stays until the job is deleted.
    OperatorHarness.until("pods deleted", Duration.ofSeconds(10), () -> client.pods().inNamespace("team-a")
        .withLabel(Labels.JOB, "spam").list().getItems().isEmpty());
    var events = client.v1().events().inNamespace("team-a").list().getItems().stream()
        .filter(e -> "spam".equals(e.getInvolvedObject().getName())).map(e -> e.getReason()).toList();
    assertTrue(events.contains("AllRoundsCompleted"), events.toString());
    assertEquals(1, events.stream().filter("AllRoundsCompleted"::equals).count(), events.toString());
  }

  @Test
  void podsCarryLabelsOwnerAndOnlyTheirToken() {
    h.kubelet.holdPending(true);
    try {
      h.create(Jobs.job("team-b", "labels", 2, "a", "b"));
      OperatorHarness.until("two pods", Duration.ofSeconds(20), () -> client.pods().inNamespace("team-b")
          .withLabel(Labels.JOB, "labels").list().getItems().size() == 2);
      List<Pod> pods = client.pods().inNamespace("team-b").withLabel(Labels.JOB, "labels").list().getItems();
      var job = h.get("team-b", "labels");
      for (Pod p : pods) {
        assertEquals(job.getMetadata().getUid(), p.getMetadata().getOwnerReferences().get(0).getUid());
        var token = p.getSpec().getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
        assertEquals(List.of(p.getMetadata().getLabels().get(Labels.SILO)),
            token.getSecret().getItems().stream().map(i -> i.getKey()).toList());
      }
      var secret = client.secrets().inNamespace("team-b").withName("labels-tokens").get();
      assertEquals(job.getMetadata().getUid(), secret.getMetadata().getOwnerReferences().get(0).getUid());
      assertEquals(2, secret.getData().size());
      FederatedFineTune pending = h.await("team-b", "labels", j -> j.getStatus() != null
          && j.getStatus().getConditions() != null
          && Conditions.find(j.getStatus().getConditions(), ConditionType.Running).isPresent(), "Running condition",
          Duration.ofSeconds(10));
      assertEquals(Reason.WaitingForSilos.name(), Conditions.find(pending.getStatus().getConditions(),
          ConditionType.Running).orElseThrow().getReason());
    } finally {
      h.kubelet.holdPending(false);
    }
  }
}
