package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.core.federation.JobId;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.build.Names;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.OperatorHarness;
import io.fedtt.operator.testing.TestKubelet;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a success, a worker that exits by itself has its pod cleaned up at once; one that is still
 * running is left alone for the grace period (the job stays hosted, so its polls hear "done"), then
 * deleted and the job released. The operator's clock is moved past the
 * grace instead of waiting for it.
 */
@EnableKubernetesMockClient(crud = true)
class WorkerExitGraceTest {

  static KubernetesClient client;
  @TempDir
  static Path store;
  static OperatorHarness h;
  static final MovableClock clock = new MovableClock();

  /** The system clock plus an offset the test moves. */
  static final class MovableClock extends Clock {
    final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset.get());
    }
  }

  @BeforeAll
  static void start() {
    FakeWorker fake = new FakeWorker();
    TestKubelet.Worker lingering = args -> {
      fake.run(args);
      if (args.silo().equals("slow")) {
        Thread.sleep(Long.MAX_VALUE); // hears "done" but never exits; ends when its pod is deleted
      }
    };
    h = OperatorHarness.start(client, store, OperatorSettings.forTests(store).withClock(clock), lingering);
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  int pods(String silo) {
    return client.pods().inNamespace("team-g").withLabel(Labels.JOB, "grace").withLabel(Labels.SILO, silo).list()
        .getItems().size();
  }

  @Test
  void aWorkerStillRunningAfterTheGraceIsDeleted() {
    FederatedFineTune job = h.create(Jobs.job("team-g", "grace", 2, "quick", "slow"));
    h.awaitPhase("team-g", "grace", Phase.Succeeded, Duration.ofSeconds(60));
    OperatorHarness.until("the pod of the worker that exited is cleaned up", Duration.ofSeconds(10),
        () -> pods("quick") == 0);
    assertEquals(1, pods("slow"), "within the grace the running worker's pod stays");
    JobId id = new JobId("team-g", "grace");
    assertTrue(h.operator.host().hosts(id), "and the endpoint still answers its polls with \"done\"");

    clock.offset.set(FederatedFineTuneReconciler.WORKER_EXIT_GRACE.plusSeconds(1));
    // Any event reconciles the finished job; touching its Secret is one.
    client.secrets().inNamespace("team-g").withName(Names.secret(job))
        .edit(s -> {
          s.getMetadata().setAnnotations(Map.of("test/touch", "1"));
          return s;
        });
    OperatorHarness.until("the lingering worker's pod is deleted after the grace", Duration.ofSeconds(10),
        () -> pods("slow") == 0);
    OperatorHarness.until("the job released", Duration.ofSeconds(10), () -> !h.operator.host().hosts(id));
  }
}
