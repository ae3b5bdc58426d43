package io.fedtt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.operator.FedttOperator;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.reconcile.Backoff;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.HoldGate;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.OperatorHarness;
import io.fedtt.operator.testing.TestKubelet;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two operator replicas with leader election on one real API server and one shared store (the
 * chart's PVC), behind a Service that sends workers to the ready replica: the leader runs a job to
 * mid-round and is stopped, the other takes the Lease, hosts the job again from the store and
 * finishes it with every round once.
 */
class LeaderFailoverTest {

  static final String NS = "failover";
  static final String LEASE_NS = "fedtt-system";
  @TempDir
  static Path store;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static String holder(KubernetesClient c) {
    Lease l = c.leases().inNamespace(LEASE_NS).withName("fedtt-failover-lock").get();
    return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
  }

  @Test
  void theOtherReplicaTakesOverAndTheJobFinishesWithNoRoundLost() throws Exception {
    ControlPlane cp = ControlPlane.get();
    Crd.install(cp);
    Crd.podNamespace(cp, NS);
    Crd.namespace(cp, LEASE_NS);
    KubernetesClient admin = cp.admin();
    HoldGate gate = new HoldGate();
    try (ReadyService service = new ReadyService();
         KubernetesClient ca = cp.withToken(cp.adminToken, "fedtt-operator-replica-a");
         KubernetesClient cb = cp.withToken(cp.adminToken, "fedtt-operator-replica-b");
         TestKubelet kubelet = new TestKubelet(admin, new FakeWorker(gate))) {
      OperatorSettings base = new OperatorSettings(Set.of(), new InetSocketAddress("127.0.0.1", 0),
          "http://127.0.0.1:" + service.port(), store, new InetSocketAddress("127.0.0.1", 0), false, null, null, true,
          null, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2)), 2, null, null, Duration.ofSeconds(10))
          .withLeaderElection("fedtt-failover-lock", LEASE_NS);
      int portA = freePort();
      boolean[] aStopped = {false};
      FedttOperator a = FedttOperator.start(base.withFederationBind(new InetSocketAddress("127.0.0.1", portA)), ca);
      ReadyService.Backend backendA = new ReadyService.Backend(() -> portA, a::metricsPort);
      service.add(backendA);
      OperatorHarness.until("replica a holds the Lease", Duration.ofSeconds(60), () -> holder(admin) != null);
      String leaderA = holder(admin);
      int portB = freePort();
      FedttOperator b = FedttOperator.start(base.withFederationBind(new InetSocketAddress("127.0.0.1", portB)), cb);
      service.add(new ReadyService.Backend(() -> portB, b::metricsPort));
      try {
        gate.hold(NS + "/ha", "*", 2);
        FederatedFineTune job = Jobs.job(NS, "ha", 3, "a", "b");
        job.getMetadata().setUid(null);
        job.getMetadata().setGeneration(null);
        admin.resource(job).create();
        waitFor(admin, "round 1 done", j -> j.getStatus() != null && j.getStatus().getRound() != null
            && Integer.valueOf(1).equals(j.getStatus().getRound().getCompleted()));
        assertEquals(leaderA, holder(admin), "replica a still leads");

        long t0 = System.nanoTime();
        a.close();
        aStopped[0] = true;
        service.remove(backendA);
        OperatorHarness.until("replica b takes the Lease", Duration.ofSeconds(90),
            () -> holder(admin) != null && !leaderA.equals(holder(admin)));
        System.err.printf("failover: replica b leads %d ms after replica a stopped%n", (System.nanoTime() - t0) / 1_000_000);
        gate.release(NS + "/ha");
        FederatedFineTune done = waitFor(admin, "Succeeded", j -> j.getStatus() != null
            && j.getStatus().getPhase() == Phase.Succeeded);
        assertEquals(List.of(1, 2, 3), done.getStatus().getHistory().stream().map(r -> r.getRound()).toList());
        assertNotEquals(leaderA, holder(admin));
        admin.resource(done).delete();
        OperatorHarness.until("ha deleted", Duration.ofSeconds(60),
            () -> admin.resources(FederatedFineTune.class).inNamespace(NS).withName("ha").get() == null);
      } finally {
        gate.release(NS + "/ha");
        b.close();
        if (!aStopped[0]) {
          a.close();
        }
      }
    }
  }

  static FederatedFineTune waitFor(KubernetesClient c, String what,
      java.util.function.Predicate<FederatedFineTune> ok) {
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    FederatedFineTune last = null;
    while (System.nanoTime() < end) {
      last = c.resources(FederatedFineTune.class).inNamespace(NS).withName("ha").get();
      if (last != null && ok.test(last)) {
        return last;
      }
      OperatorHarness.sleep(100);
    }
    assertNotNull(null, "timed out waiting for " + what + "; status " + (last == null ? null : last.getStatus()));
    return last;
  }
}
