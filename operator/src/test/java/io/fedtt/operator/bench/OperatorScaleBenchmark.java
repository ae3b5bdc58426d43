package io.fedtt.operator.bench;

import static io.fedtt.operator.bench.BenchFigures.percentile;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.api.v1alpha1.status.RoundRecord;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.OperatorHarness;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many concurrent jobs on the mock API server with fake workers speaking the real protocol:
 * reconcile latency, round turnaround, operator CPU and peak heap. Tagged "benchmark" (not in the
 * normal build); run it with
 * {@code mvn -pl operator test -Dtest=OperatorScaleBenchmark -Doperator.test.excludedGroups=none}
 * and -Dfedtt.bench.jobs / -Dfedtt.bench.silos / -Dfedtt.bench.rounds to change the size.
 */
@Tag("benchmark")
@EnableKubernetesMockClient(crud = true)
class OperatorScaleBenchmark {

  static KubernetesClient client;
  @TempDir
  static Path store;


  @Test
  void manyConcurrentJobs() throws Exception {
    int jobs = Integer.getInteger("fedtt.bench.jobs", 50);
    int silos = Integer.getInteger("fedtt.bench.silos", 4);
    int rounds = Integer.getInteger("fedtt.bench.rounds", 3);
    ConcurrentLinkedQueue<Long> reconciles = new ConcurrentLinkedQueue<>();
    BenchFigures.startCpuAccounting();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);

    try (OperatorHarness h = OperatorHarness.start(client, store,
        OperatorSettings.forTests(store).withReconcileNanos(reconciles::add), new FakeWorker())) {
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      String[] names = BenchFigures.siloNames(silos);
      for (int j = 0; j < jobs; j++) {
        h.create(Jobs.job("bench", "job-" + j, rounds, names));
      }
      List<Double> turnaround = new ArrayList<>();
      for (int j = 0; j < jobs; j++) {
        FederatedFineTune done = h.awaitPhase("bench", "job-" + j, Phase.Succeeded, Duration.ofMinutes(10));
        assertEquals(rounds, done.getStatus().getRound().getCompleted());
        for (RoundRecord r : done.getStatus().getHistory()) {
          turnaround.add(r.getSeconds());
        }
      }
      double wall = (System.nanoTime() - t0) / 1e9;
      double processCpu = (os.getProcessCpuTime() - cpu0) / 1e9;
      double operatorCpu = BenchFigures.operatorCpuSeconds();
      long peakHeap = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        if (pool.getType() == MemoryType.HEAP) {
          peakHeap += pool.getPeakUsage().getUsed();
        }
      }
      List<Double> rec = new ArrayList<>();
      reconciles.forEach(n -> rec.add(n / 1e6));
      System.out.println(String.format(Locale.ROOT,
          "BENCH operator scale: %d jobs x %d silos x %d rounds, all Succeeded in %.1f s wall%n"
              + "BENCH reconciles: %d, latency ms p50 %.1f, p99 %.1f, max %.1f%n"
              + "BENCH round turnaround s (create->aggregate, from status history): p50 %.3f, p99 %.3f, max %.3f%n"
              + "BENCH CPU s: operator threads %.1f (reconcilers, informers, federation endpoint and round drivers), "
              + "whole JVM %.1f (also the mock API server and %d fake workers)%n"
              + "BENCH peak heap MiB (whole JVM): %.0f",
          jobs, silos, rounds, wall, rec.size(), percentile(rec, 50), percentile(rec, 99), percentile(rec, 100),
          percentile(turnaround, 50), percentile(turnaround, 99), percentile(turnaround, 100),
          operatorCpu, processCpu, jobs * silos, peakHeap / (1024.0 * 1024.0)));
    }
  }

}
