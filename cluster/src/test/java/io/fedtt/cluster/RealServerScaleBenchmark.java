package io.fedtt.cluster;

import static io.fedtt.operator.bench.BenchFigures.percentile;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.api.v1alpha1.status.RoundRecord;
import io.fedtt.operator.FedttOperator;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.bench.BenchFigures;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.OperatorHarness;
import io.fedtt.operator.testing.TestKubelet;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator module's 50-job scale benchmark (OperatorScaleBenchmark) against the real API server
 * instead of the mock: the same jobs, fake workers and figures, with server-side apply on, plus the
 * API requests per job from the audit log. Tagged "benchmark" (not in the normal build); run it with
 * {@code mvn -pl cluster -am verify -Dtest=RealServerScaleBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcluster.test.excludedGroups=none} (and -Dfedtt.bench.jobs / silos / rounds).
 */
@Tag("benchmark")
class RealServerScaleBenchmark {

  static final String USER_AGENT = "fedtt-operator-bench";
  @TempDir
  static Path store;


  @Test
  void manyConcurrentJobs() throws Exception {
    int jobs = Integer.getInteger("fedtt.bench.jobs", 50);
    int silos = Integer.getInteger("fedtt.bench.silos", 4);
    int rounds = Integer.getInteger("fedtt.bench.rounds", 3);
    ControlPlane cp = ControlPlane.get();
    Crd.install(cp);
    Crd.podNamespace(cp, "bench");
    ConcurrentLinkedQueue<Long> reconciles = new ConcurrentLinkedQueue<>();
    BenchFigures.startCpuAccounting();
    OperatorSettings settings = new OperatorSettings(Set.of(), new InetSocketAddress("127.0.0.1", 0), null, store,
        new InetSocketAddress("127.0.0.1", 0), false, null, null, true, null, null, 8, null, reconciles::add, null);
    // The operator's client is marked by its User-Agent; the test kubelet uses the admin's, so the
    // audit log tells the operator's requests apart.
    try (KubernetesClient client = cp.withToken(cp.adminToken, USER_AGENT);
         FedttOperator operator = FedttOperator.start(settings, client);
         TestKubelet kubelet = new TestKubelet(cp.admin(), new FakeWorker())) {
      long t0 = System.nanoTime();
      String[] names = BenchFigures.siloNames(silos);
      for (int j = 0; j < jobs; j++) {
        FederatedFineTune job = Jobs.job("bench", "job-" + j, rounds, names);
        job.getMetadata().setUid(null);
        job.getMetadata().setGeneration(null);
        cp.admin().resource(job).create();
      }
      List<Double> turnaround = new ArrayList<>();
      for (int j = 0; j < jobs; j++) {
        String name = "job-" + j;
        OperatorHarness.until(name + " Succeeded", Duration.ofMinutes(15), () -> {
          FederatedFineTune f = cp.admin().resources(FederatedFineTune.class).inNamespace("bench").withName(name).get();
          return f != null && f.getStatus() != null && f.getStatus().getPhase() == Phase.Succeeded;
        });
        FederatedFineTune done = cp.admin().resources(FederatedFineTune.class).inNamespace("bench").withName(name).get();
        assertEquals(rounds, done.getStatus().getRound().getCompleted());
        for (RoundRecord r : done.getStatus().getHistory()) {
          turnaround.add(r.getSeconds());
        }
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      double operatorCpu = BenchFigures.operatorCpuSeconds();
      List<ControlPlane.AuditEvent> requests = cp.audit(e -> e.userAgent().startsWith(USER_AGENT));
      TreeMap<String, Integer> byGrant = new TreeMap<>();
      requests.forEach(e -> byGrant.merge(e.grant(), 1, Integer::sum));
      List<Double> rec = new ArrayList<>();
      reconciles.forEach(n -> rec.add(n / 1e6));
      System.out.println(String.format(Locale.ROOT,
          "BENCH real API server: %d jobs x %d silos x %d rounds, all Succeeded in %.1f s wall%n"
              + "BENCH reconciles: %d, latency ms p50 %.1f, p99 %.1f, max %.1f%n"
              + "BENCH round turnaround s: p50 %.3f, p99 %.3f, max %.3f%n"
              + "BENCH CPU s: operator threads %.1f%n"
              + "BENCH API requests by the operator: %d (%.1f per job): %s",
          jobs, silos, rounds, wall, rec.size(), percentile(rec, 50), percentile(rec, 99), percentile(rec, 100),
          percentile(turnaround, 50), percentile(turnaround, 99), percentile(turnaround, 100), operatorCpu,
          requests.size(), requests.size() / (double) jobs, byGrant));
      for (int j = 0; j < jobs; j++) {
        cp.admin().resources(FederatedFineTune.class).inNamespace("bench").withName("job-" + j).delete();
      }
      OperatorHarness.until("bench jobs deleted", Duration.ofMinutes(5),
          () -> cp.admin().resources(FederatedFineTune.class).inNamespace("bench").list().getItems().isEmpty());
    }
  }

}
