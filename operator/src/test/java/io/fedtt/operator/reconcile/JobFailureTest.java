package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.api.v1alpha1.status.SiloStatus;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.HoldGate;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.OperatorHarness;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Worker pod failures, pod problems in status, and an operator restart in the middle of a round. */
@EnableKubernetesMockClient(crud = true)
class JobFailureTest {

  static KubernetesClient client;
  @TempDir
  static Path store;
  static OperatorHarness h;
  static final HoldGate gate = new HoldGate();

  @BeforeAll
  static void start() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    // A fixed federation port, so that workers reach the restarted operator at the same address.
    h = OperatorHarness.start(client, store, OperatorSettings.forTests(store)
        .withFederationBind(new InetSocketAddress("127.0.0.1", port))
        .withBackoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2))), new FakeWorker(gate));
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  private static List<Pod> pods(String ns, String job) {
    return client.pods().inNamespace(ns).withLabel(Labels.JOB, job).list().getItems();
  }

  private static boolean running(String ns, String pod) {
    Pod p = client.pods().inNamespace(ns).withName(pod).get();
    return p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase());
  }

  private static SiloStatus silo(FederatedFineTune job, String name) {
    return job.getStatus() == null || job.getStatus().getSilos() == null ? null
        : job.getStatus().getSilos().stream().filter(s -> name.equals(s.getName())).findFirst().orElse(null);
  }

  private static long events(String ns, String job, String reason) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> job.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).count();
  }

  @Test
  void failedPodIsRecreatedWithBackoffAndTheJobSucceeds() {
    gate.hold("f1/flaky", "*", 1);
    h.create(Jobs.job("f1", "flaky", 2, "a", "b"));
    OperatorHarness.until("pods running", Duration.ofSeconds(20),
        () -> running("f1", "flaky-a-0") && running("f1", "flaky-b-0"));
    h.kubelet.fail("f1", "flaky-a-0", "OOMKilled", 137);
    FederatedFineTune seen = h.await("f1", "flaky", j -> silo(j, "a") != null
        && Integer.valueOf(1).equals(silo(j, "a").getRestarts()), "silo a restarted once", Duration.ofSeconds(20));
    OperatorHarness.until("replacement pod", Duration.ofSeconds(20), () -> running("f1", "flaky-a-1"));
    OperatorHarness.until("failed pod deleted once replaced", Duration.ofSeconds(20),
        () -> client.pods().inNamespace("f1").withName("flaky-a-0").get() == null);
    gate.release("f1/flaky");
    FederatedFineTune done = h.awaitPhase("f1", "flaky", Phase.Succeeded, Duration.ofSeconds(30));
    assertEquals(1, silo(done, "a").getRestarts());
    assertEquals(null, silo(done, "b").getRestarts());
    assertEquals(1, events("f1", "flaky", "WorkerFailed"));
    assertTrue(seen.getStatus().getPhase() != Phase.Failed);
  }

  @Test
  void backoffLimitFailsTheJob() {
    gate.hold("f2/doomed", "*", 1);
    FederatedFineTune job = Jobs.job("f2", "doomed", 2, "a", "b");
    job.getSpec().getRunPolicy().setBackoffLimit(1);
    h.create(job);
    OperatorHarness.until("pod a running", Duration.ofSeconds(20), () -> running("f2", "doomed-a-0"));
    h.kubelet.fail("f2", "doomed-a-0", "Error", 1);
    OperatorHarness.until("replacement pod", Duration.ofSeconds(20), () -> running("f2", "doomed-a-1"));
    h.kubelet.fail("f2", "doomed-a-1", "OOMKilled", 137);
    FederatedFineTune failed = h.awaitPhase("f2", "doomed", Phase.Failed, Duration.ofSeconds(20));
    var c = Conditions.find(failed.getStatus().getConditions(), ConditionType.Failed).orElseThrow();
    assertEquals(Reason.BackoffLimitExceeded.name(), c.getReason());
    assertTrue(c.getMessage().contains("backoffLimit=1"), c.getMessage());
    OperatorHarness.until("pods deleted", Duration.ofSeconds(10), () -> pods("f2", "doomed").isEmpty());
    assertEquals(1, events("f2", "doomed", "BackoffLimitExceeded"));
    gate.release("f2/doomed");
  }

  @Test
  void podProblemsShowInSiloStatus() {
    gate.hold("f3/stuck", "*", 1);
    h.create(Jobs.job("f3", "stuck", 2, "a", "b"));
    OperatorHarness.until("pods running", Duration.ofSeconds(20),
        () -> running("f3", "stuck-a-0") && running("f3", "stuck-b-0"));
    h.kubelet.waiting("f3", "stuck-a-0", "ImagePullBackOff", "Back-off pulling image \"nope:1\"");
    h.kubelet.unschedulable("f3", "stuck-b-0", "0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
    FederatedFineTune st = h.await("f3", "stuck", j -> silo(j, "a") != null && silo(j, "b") != null
        && "ImagePullBackOff".equals(silo(j, "a").getReason()) && "Unschedulable".equals(silo(j, "b").getReason()),
        "pod problems in status", Duration.ofSeconds(20));
    assertTrue(silo(st, "a").getMessage().contains("nope:1"), silo(st, "a").getMessage());
    assertTrue(silo(st, "b").getMessage().contains("nvidia.com/gpu"), silo(st, "b").getMessage());
    assertEquals(1, events("f3", "stuck", "ImagePullBackOff"));
    assertEquals(1, events("f3", "stuck", "Unschedulable"));
    h.client.resources(FederatedFineTune.class).inNamespace("f3").withName("stuck").delete();
    gate.release("f3/stuck");
  }

  @Test
  void operatorRestartMidRoundResumesFromTheStore() {
    JobId id = new JobId("f4", "resume");
    gate.hold("f4/resume", "b", 3);
    h.create(Jobs.job("f4", "resume", 4, "a", "b"));
    OperatorHarness.until("a's round-3 update accepted", Duration.ofSeconds(40), () -> h.operator.host().coordinator(id)
        .map(c -> c.status().round() == 3 && c.received().contains("a")).orElse(false));

    h.restartOperator();
    RoundCoordinator resumed = h.operator.host().coordinator(id).orElseGet(() -> {
      OperatorHarness.until("job re-hosted", Duration.ofSeconds(20), () -> h.operator.host().hosts(id));
      return h.operator.host().coordinator(id).orElseThrow();
    });
    assertEquals(3, resumed.status().round());
    assertEquals(2, resumed.status().completedRounds());
    assertEquals(List.of("a"), resumed.received(), "the update acknowledged before the restart is kept");

    gate.release("f4/resume");
    FederatedFineTune done = h.awaitPhase("f4", "resume", Phase.Succeeded, Duration.ofSeconds(40));
    assertEquals(List.of(1, 2, 3, 4), done.getStatus().getHistory().stream().map(r -> r.getRound()).toList());
    assertEquals(2, done.getStatus().getHistory().get(2).getParticipants());
    done.getStatus().getSilos().forEach(s -> assertEquals(null, s.getRestarts(), "no pod was replaced: " + s));
  }
}
