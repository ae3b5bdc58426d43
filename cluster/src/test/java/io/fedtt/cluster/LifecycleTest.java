package io.fedtt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.api.v1alpha1.status.SiloStatus;
import io.fedtt.operator.FedttOperator;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.reconcile.Backoff;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.HoldGate;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.OperatorHarness;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job's life on a real API server (server-side apply on, fake workers through the test kubelet):
 * deleting the resource lets the garbage collector remove what it owns; suspend and resume continue
 * at the same round; a worker pod that fails mid-round is recreated and the job finishes.
 */
class LifecycleTest {

  static final String NS = "lifecycle";
  static ControlPlane cp;
  static OperatorHarness h;
  static OperatorSettings settings;
  static KubernetesClient client;
  static final HoldGate gate = new HoldGate();
  @TempDir
  static Path store;

  @BeforeAll
  static void start() {
    cp = ControlPlane.get();
    Crd.install(cp);
    Crd.podNamespace(cp, NS);
    settings = new OperatorSettings(Set.of(), new InetSocketAddress("127.0.0.1", 0), null, store,
        new InetSocketAddress("127.0.0.1", 0), false, null, null, true, null,
        new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2)), 4, null, null, Duration.ofSeconds(10));
    client = cp.withToken(cp.adminToken, "fedtt-operator-lifecycle");
    h = OperatorHarness.start(client, store, settings, new FakeWorker(gate));
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      for (FederatedFineTune j : cp.admin().resources(FederatedFineTune.class).inNamespace(NS).list().getItems()) {
        cp.admin().resource(j).delete();
      }
      OperatorHarness.until("jobs deleted", Duration.ofSeconds(60),
          () -> cp.admin().resources(FederatedFineTune.class).inNamespace(NS).list().getItems().isEmpty());
      h.close();
      client.close();
    }
  }

  /** Waits up to a minute for {@code check}; on timeout the failure shows the namespace's pods and jobs. */
  static void until(String what, java.util.function.BooleanSupplier check) {
    try {
      OperatorHarness.until(what, Duration.ofSeconds(60), check);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + cp.kubectl("get", "pods,fft", "-n", NS, "-o", "wide").stdout()
          + cp.kubectl("get", "pods", "-n", NS, "-o",
              "jsonpath={range .items[*]}{.metadata.name}: {.status}{\"\\n\"}{end}").stdout(), e);
    }
  }

  static FederatedFineTune job(String name, int rounds, String... silos) {
    FederatedFineTune j = Jobs.job(NS, name, rounds, silos);
    j.getMetadata().setUid(null);
    j.getMetadata().setGeneration(null);
    return j;
  }

  static List<Pod> pods(String job) {
    return cp.admin().pods().inNamespace(NS).withLabel(Labels.MANAGED_BY, Labels.OPERATOR).list().getItems().stream()
        .filter(p -> p.getMetadata().getName().startsWith(job + "-")).toList();
  }

  static boolean running(String pod) {
    Pod p = cp.admin().pods().inNamespace(NS).withName(pod).get();
    return p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase());
  }

  static List<Secret> secrets(String job) {
    return cp.admin().secrets().inNamespace(NS).list().getItems().stream()
        .filter(s -> s.getMetadata().getOwnerReferences() != null && s.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> job.equals(o.getName()))).toList();
  }

  @Test
  void deletingTheResourceLetsTheGarbageCollectorRemoveWhatItOwns() {
    gate.hold(NS + "/gc", "*", 1);
    h.create(job("gc", 2, "a", "b"));
    until("gc pods running", () -> running("gc-a-0") && running("gc-b-0"));
    FederatedFineTune job = h.get(NS, "gc");
    List<Secret> owned = secrets("gc");
    assertFalse(owned.isEmpty(), "the job's token Secret");
    for (Pod p : pods("gc")) {
      OwnerReference ref = p.getMetadata().getOwnerReferences().get(0);
      assertEquals(job.getMetadata().getUid(), ref.getUid(), "owner of " + p.getMetadata().getName());
    }
    // The operator is stopped and its finalizer taken off, so nothing but the garbage collector
    // (kube-controller-manager) can remove the pods and the Secret.
    h.operator.close();
    try {
      cp.admin().resources(FederatedFineTune.class).inNamespace(NS).withName("gc")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
      cp.admin().resources(FederatedFineTune.class).inNamespace(NS).withName("gc").delete();
      OperatorHarness.until("the garbage collector removed gc's pods and Secret", Duration.ofSeconds(60),
          () -> pods("gc").isEmpty() && secrets("gc").isEmpty());
      assertTrue(cp.admin().resources(FederatedFineTune.class).inNamespace(NS).withName("gc").get() == null);
    } finally {
      gate.release(NS + "/gc");
      h.operator = FedttOperator.start(settings, client);
    }
  }

  @Test
  void suspendAndResumeContinueAtTheSameRound() {
    gate.hold(NS + "/pause", "*", 2);
    h.create(job("pause", 3, "a", "b"));
    h.await(NS, "pause", j -> j.getStatus() != null && j.getStatus().getRound() != null
        && Integer.valueOf(1).equals(j.getStatus().getRound().getCompleted()), "round 1 done", Duration.ofSeconds(60));
    h.edit(NS, "pause", j -> {
      j.getSpec().setSuspend(true);
      return j;
    });
    FederatedFineTune suspended = h.awaitPhase(NS, "pause", Phase.Suspended, Duration.ofSeconds(30));
    OperatorHarness.until("pause's pods deleted", Duration.ofSeconds(30), () -> pods("pause").isEmpty());
    assertEquals(1, suspended.getStatus().getRound().getCompleted());
    gate.release(NS + "/pause");
    h.edit(NS, "pause", j -> {
      j.getSpec().setSuspend(false);
      return j;
    });
    FederatedFineTune done = h.awaitPhase(NS, "pause", Phase.Succeeded, Duration.ofSeconds(60));
    assertEquals(List.of(1, 2, 3), done.getStatus().getHistory().stream().map(r -> r.getRound()).toList());
  }

  @Test
  void aWorkerKilledMidRoundIsRecreatedAndTheJobFinishes() {
    gate.hold(NS + "/crash", "*", 2);
    h.create(job("crash", 2, "a", "b"));
    h.await(NS, "crash", j -> j.getStatus() != null && j.getStatus().getRound() != null
        && Integer.valueOf(1).equals(j.getStatus().getRound().getCompleted()), "round 1 done", Duration.ofSeconds(60));
    h.kubelet.fail(NS, "crash-a-0", "OOMKilled", 137);
    until("crash-a recreated", () -> running("crash-a-1"));
    gate.release(NS + "/crash");
    FederatedFineTune done = h.awaitPhase(NS, "crash", Phase.Succeeded, Duration.ofSeconds(60));
    assertEquals(List.of(1, 2), done.getStatus().getHistory().stream().map(r -> r.getRound()).toList());
    SiloStatus a = done.getStatus().getSilos().stream().filter(s -> s.getName().equals("a")).findFirst().orElseThrow();
    assertEquals(1, a.getRestarts(), a.toString());
  }
}
