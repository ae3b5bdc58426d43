package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.ModelArchitecture;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.coordinator.CoordinatorSnapshot;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.tensor.Digest;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.HoldGate;
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
  static final HoldGate gate = new HoldGate();

  @BeforeAll
  static void start() {
    System.err.println("beforeAll at " + java.time.LocalTime.now());
    h = OperatorHarness.start(client, store, OperatorSettings.forTests(store)
        .withBackoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2))), new FakeWorker(gate));
  }

  @AfterAll
  static void stop() {
    System.err.println("afterAll at " + java.time.LocalTime.now());
    if (h != null) {
      h.close();
    }
  }

  @Test
  void jobRunsToSucceededWithTheCoordinatorsFigures() throws Exception {
    h.create(Jobs.job("team-a", "spam", 3, "alpha", "beta", "gamma"));
    FederatedFineTune done = h.awaitPhase("team-a", "spam", Phase.Succeeded, Duration.ofSeconds(60));
    FederatedFineTuneStatus st = done.getStatus();

    FileRoundStore jobStore = FileRoundStore.forJob(store.resolve("jobs"), new JobId("team-a", "spam"));
    CoordinatorSnapshot saved = CoordinatorSnapshot.fromJson(jobStore.loadState().orElseThrow(), "test");
    var savedHistory = saved.history(jobStore);
    assertEquals(3, saved.completedRounds());
    assertEquals(3, st.getRound().getCompleted());
    assertEquals(3, st.getRound().getTotal());
    // The totals are the coordinator's live counters when the job finished. Its saved snapshot can
    // lag them by traffic counted after the save (answers written after it, a late upload): the
    // status is never below the snapshot, and above it by at most about one upload.
    long oneUpload = saved.bytesUp() / 8 + 1024;
    assertTrue(st.getCommunication().getBytesUp() >= saved.bytesUp()
        && st.getCommunication().getBytesUp() <= saved.bytesUp() + oneUpload, st.getCommunication() + " vs " + saved.bytesUp());
    assertTrue(st.getCommunication().getBytesDown() >= saved.bytesDown()
        && st.getCommunication().getBytesDown() <= saved.bytesDown() + 3 * 1024, st.getCommunication() + " vs " + saved.bytesDown());
    assertTrue(st.getCommunication().getBytesUp() > 0);
    assertEquals(List.of(1, 2, 3), st.getHistory().stream().map(r -> r.getRound()).toList());
    for (int i = 0; i < 3; i++) {
      var rec = savedHistory.stream().filter(r -> r.completed()).toList().get(i);
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
    for (var silo : st.getSilos()) { // refreshed when the job completes: the last round is in
      assertEquals(3, silo.getLastRound(), silo.toString());
      assertEquals(FakeWorker.examples(silo.getName()), silo.getExamples(), silo.toString());
    }

    // cleanPodPolicy All: the workers are gone; the Secret stays until the job is deleted.
    OperatorHarness.until("pods deleted", Duration.ofSeconds(10), () -> client.pods().inNamespace("team-a")
        .withLabel(Labels.JOB, "spam").list().getItems().isEmpty());
    var events = client.v1().events().inNamespace("team-a").list().getItems().stream()
        .filter(e -> "spam".equals(e.getInvolvedObject().getName())).map(e -> e.getReason()).toList();
    assertTrue(events.contains("AllRoundsCompleted"), events.toString());
    assertEquals(1, events.stream().filter("AllRoundsCompleted"::equals).count(), events.toString());
  }

  @Test
  void crossDeviceJobRunsToSucceededWithOneTokenPerShard() throws Exception {
    // 7 devices on 2 shards (4 + 3), 5 sampled a round: each shard pod acts for its own devices.
    h.create(Jobs.devices("team-d", "xdev", 2, 7, 5, 2));
    FederatedFineTune done = h.awaitPhase("team-d", "xdev", Phase.Succeeded, Duration.ofSeconds(60));
    assertEquals(2, done.getStatus().getRound().getCompleted());
    assertEquals(List.of(5, 5), done.getStatus().getHistory().stream().map(r -> r.getParticipants()).toList());
    var secret = client.secrets().inNamespace("team-d").withName("xdev-tokens").get();
    assertEquals(java.util.Set.of("worker-0", "worker-1"), secret.getData().keySet());
    // A shard's status speaks for its devices: 5 of 7 sampled a round always include one of each shard's.
    for (var shard : done.getStatus().getSilos()) {
      int k = Integer.parseInt(shard.getName().substring("worker-".length()));
      long all = io.fedtt.core.data.DeviceShards.devices(k, 2, 7).stream().mapToLong(FakeWorker::examples).sum();
      assertEquals(2, shard.getLastRound(), shard.toString());
      assertTrue(shard.getExamples() > 0 && shard.getExamples() <= all, shard + " of at most " + all);
    }
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

  private static List<String> events(String ns, String job) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> job.equals(e.getInvolvedObject().getName())).map(e -> e.getReason()).toList();
  }

  private static List<Pod> pods(String ns, String job) {
    return client.pods().inNamespace(ns).withLabel(Labels.JOB, job).list().getItems();
  }

  @Test
  void invalidSpecFailsWithTheFieldOnceAndRecoversWhenFixed() throws Exception {
    FederatedFineTune bad = Jobs.job("team-c", "bad", 2, "a");
    bad.getSpec().getRounds().setTotal(0);
    h.create(bad);
    FederatedFineTune failed = h.awaitPhase("team-c", "bad", Phase.Failed, Duration.ofSeconds(20));
    var cond = Conditions.find(failed.getStatus().getConditions(), ConditionType.Failed).orElseThrow();
    assertEquals(Reason.InvalidSpec.name(), cond.getReason());
    assertTrue(cond.getMessage().startsWith("spec.rounds.total: "), cond.getMessage());
    assertTrue(pods("team-c", "bad").isEmpty());
    Thread.sleep(1000);
    assertEquals(1, events("team-c", "bad").stream().filter("InvalidSpec"::equals).count(), events("team-c", "bad").toString());

    h.edit("team-c", "bad", j -> {
      j.getSpec().getRounds().setTotal(1);
      return j;
    });
    FederatedFineTune fixed = h.awaitPhase("team-c", "bad", Phase.Succeeded, Duration.ofSeconds(30));
    assertEquals(fixed.getMetadata().getGeneration(), fixed.getStatus().getObservedGeneration());
    assertEquals(1, fixed.getStatus().getRound().getCompleted());
  }

  @Test
  void aModelTheOperatorCannotReadRunsOnItsDeclaredArchitecture() {
    FederatedFineTune job = Jobs.job("team-e", "own-model", 1, "a");
    job.getSpec().getModel().setUri("file:/models/tiny-bert");
    ModelArchitecture a = new ModelArchitecture();
    a.setHiddenSize(32);
    a.setNumLayers(2);
    a.setIntermediateSize(64);
    a.setNumHeads(2);
    a.setVocabSize(30522);
    job.getSpec().getModel().setArchitecture(a);
    h.create(job);
    FederatedFineTune done = h.awaitPhase("team-e", "own-model", Phase.Succeeded, Duration.ofSeconds(30));
    ModelConfig tiny = ModelConfig.bert(32, 2, 64, 2, 30522, 512, 2, 2);
    long expected = FederationJobMapper.layout(job.getSpec(), tiny).parameterCount();
    assertEquals(expected, done.getStatus().getCommunication().getParametersPerUpdate(),
        "the initial adapter is laid out for the declared architecture");
    assertNotEquals(FederationJobMapper.layout(job.getSpec(), ModelConfig.allMiniLmL6V2(2)).parameterCount(), expected);
  }

  @Test
  void anUnknownBuiltinModelIsAnInvalidSpec() {
    FederatedFineTune job = Jobs.job("team-e", "unknown-builtin", 1, "a");
    job.getSpec().getModel().setUri("builtin:bert-large");
    h.create(job);
    FederatedFineTune failed = h.awaitPhase("team-e", "unknown-builtin", Phase.Failed, Duration.ofSeconds(20));
    var cond = Conditions.find(failed.getStatus().getConditions(), ConditionType.Failed).orElseThrow();
    assertEquals(Reason.InvalidSpec.name(), cond.getReason());
    assertEquals("spec.model.uri: 'builtin:bert-large' is not a built-in model; the built-in models are"
        + " [builtin:all-minilm-l6-v2, builtin:smollm2-135m-instruct] (another model: file:, pvc:, https: or hf:)",
        cond.getMessage());
    assertTrue(pods("team-e", "unknown-builtin").isEmpty());
  }

  @Test
  void suspendDeletesPodsKeepsRoundsAndResumesAtTheSameRound() {
    gate.hold("team-d/pause", "*", 2);
    h.create(Jobs.job("team-d", "pause", 3, "a", "b"));
    h.await("team-d", "pause", j -> j.getStatus() != null && j.getStatus().getRound() != null
        && j.getStatus().getRound().getCompleted() == 1, "round 1 done", Duration.ofSeconds(30));
    h.edit("team-d", "pause", j -> {
      j.getSpec().setSuspend(true);
      return j;
    });
    FederatedFineTune suspended = h.awaitPhase("team-d", "pause", Phase.Suspended, Duration.ofSeconds(20));
    OperatorHarness.until("pods deleted", Duration.ofSeconds(10), () -> pods("team-d", "pause").isEmpty());
    assertEquals(2, suspended.getStatus().getRound().getCurrent());
    assertEquals(1, suspended.getStatus().getRound().getCompleted());
    assertTrue(!h.operator.host().hosts(new JobId("team-d", "pause")), "coordinator released while suspended");
    assertTrue(h.operator.host().hasState(new JobId("team-d", "pause")), "round state kept");

    gate.release("team-d/pause");
    h.edit("team-d", "pause", j -> {
      j.getSpec().setSuspend(false);
      return j;
    });
    FederatedFineTune done = h.awaitPhase("team-d", "pause", Phase.Succeeded, Duration.ofSeconds(30));
    assertEquals(List.of(1, 2, 3), done.getStatus().getHistory().stream().map(r -> r.getRound()).toList());
    assertEquals(Reason.Resumed.name(), Conditions.find(done.getStatus().getConditions(), ConditionType.Suspended)
        .orElseThrow().getReason());
    List<String> ev = events("team-d", "pause");
    assertEquals(1, ev.stream().filter("SuspendedByUser"::equals).count(), ev.toString());
  }

  @Test
  void activeDeadlineFailsTheJob() {
    gate.hold("team-e/slow", "*", 1);
    FederatedFineTune job = Jobs.job("team-e", "slow", 3, "a");
    job.getSpec().getRunPolicy().setActiveDeadlineSeconds(2L);
    h.create(job);
    FederatedFineTune failed = h.awaitPhase("team-e", "slow", Phase.Failed, Duration.ofSeconds(20));
    assertEquals(Reason.DeadlineExceeded.name(), Conditions.find(failed.getStatus().getConditions(),
        ConditionType.Failed).orElseThrow().getReason());
    OperatorHarness.until("pods deleted", Duration.ofSeconds(10), () -> pods("team-e", "slow").isEmpty());
    assertNotNull(failed.getStatus().getCompletionTime());
    gate.release("team-e/slow");
  }

  @Test
  void deletingTheJobRemovesEverything() {
    gate.hold("team-f/gone", "*", 1);
    h.create(Jobs.job("team-f", "gone", 3, "a", "b"));
    JobId id = new JobId("team-f", "gone");
    OperatorHarness.until("pods and state", Duration.ofSeconds(20), () -> pods("team-f", "gone").size() == 2
        && h.operator.host().hasState(id));
    h.client.resources(FederatedFineTune.class).inNamespace("team-f").withName("gone").delete();
    OperatorHarness.until("job gone", Duration.ofSeconds(20), () -> h.get("team-f", "gone") == null);
    OperatorHarness.until("pods gone", Duration.ofSeconds(10), () -> pods("team-f", "gone").isEmpty());
    assertEquals(null, client.secrets().inNamespace("team-f").withName("gone-tokens").get());
    assertTrue(!h.operator.host().hasState(id), "round store removed");
    assertTrue(!h.operator.host().hosts(id));
    gate.release("team-f/gone");
  }

  @Test
  void raisingRoundsTotalMidJobTakesEffect() {
    gate.hold("team-g/longer", "*", 2);
    h.create(Jobs.job("team-g", "longer", 2, "a", "b"));
    h.await("team-g", "longer", j -> j.getStatus() != null && j.getStatus().getRound() != null
        && j.getStatus().getRound().getCompleted() == 1, "round 1 done", Duration.ofSeconds(30));
    h.edit("team-g", "longer", j -> {
      j.getSpec().getRounds().setTotal(3);
      return j;
    });
    h.await("team-g", "longer", j -> j.getStatus().getRound().getTotal() == 3, "total 3 in status",
        Duration.ofSeconds(20));
    gate.release("team-g/longer");
    FederatedFineTune done = h.awaitPhase("team-g", "longer", Phase.Succeeded, Duration.ofSeconds(30));
    assertEquals(List.of(1, 2, 3), done.getStatus().getHistory().stream().map(r -> r.getRound()).toList());
    done.getStatus().getSilos().forEach(x -> assertEquals(null, x.getRestarts(), x.toString()));
  }

  @Test
  void finishedJobIsDeletedAfterItsTtl() {
    FederatedFineTune job = Jobs.job("team-h", "short-lived", 1, "a");
    job.getSpec().getRunPolicy().setTtlSecondsAfterFinished(1);
    h.create(job);
    h.awaitPhase("team-h", "short-lived", Phase.Succeeded, Duration.ofSeconds(30));
    OperatorHarness.until("deleted after ttl", Duration.ofSeconds(20), () -> h.get("team-h", "short-lived") == null);
    assertTrue(!h.operator.host().hasState(new JobId("team-h", "short-lived")), "round store removed");
  }
}
