package io.fedtt.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.OperatorHarness;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real /metrics scrape over HTTP after a real (mock-cluster) job: parsed, checked, and linted. */
@EnableKubernetesMockClient(crud = true)
class MetricsScrapeTest {

  static KubernetesClient client;
  @TempDir
  static Path store;
  static OperatorHarness h;
  static FederatedFineTune done;

  @BeforeAll
  static void runOneJob() {
    h = OperatorHarness.start(client, store, OperatorSettings.forTests(store), new FakeWorker());
    h.create(Jobs.job("m1", "scraped", 2, "a", "b"));
    done = h.awaitPhase("m1", "scraped", Phase.Succeeded, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  private static String scrape() throws Exception {
    var r = h.http("/metrics");
    assertEquals(200, r.statusCode());
    return r.body();
  }

  @Test
  void scrapeShowsTheJobsFiguresAndJosdkMetrics() throws Exception {
    Scrape s = Scrape.parse(scrape());
    Map<String, String> job = Map.of("namespace", "m1", "name", "scraped");
    var st = done.getStatus();
    assertEquals(2.0, s.value("fedtt_rounds_completed_total", job).orElseThrow());
    assertEquals((double) st.getCommunication().getBytesUp(),
        s.value("fedtt_bytes_total", Map.of("namespace", "m1", "name", "scraped", "direction", "up")).orElseThrow());
    assertEquals((double) st.getCommunication().getBytesDown(),
        s.value("fedtt_bytes_total", Map.of("namespace", "m1", "name", "scraped", "direction", "down")).orElseThrow());
    assertEquals(2.0, s.value("fedtt_round_duration_seconds_count", job).orElseThrow());
    assertEquals(4.0, s.value("fedtt_silo_updates_total", Map.of("namespace", "m1", "name", "scraped",
        "result", "accepted")).orElseThrow());
    assertEquals(st.getMetrics().getAccuracy(), s.value("fedtt_accuracy", job).orElseThrow(), 1e-12);
    assertEquals(st.getMetrics().getBestAccuracy(), s.value("fedtt_best_accuracy", job).orElseThrow(), 1e-12);
    assertEquals(st.getCommunication().getReductionVsLora(), s.value("fedtt_reduction_vs_lora_ratio", job).orElseThrow(),
        1e-12);
    assertEquals(1.0, s.value("fedtt_jobs", Map.of("phase", "Succeeded")).orElseThrow());
    assertEquals("float32", st.getCommunication().getEncoding(), "status says which encoding ran");
    assertEquals(1.0, s.value("fedtt_communication_encoding_info", Map.of("namespace", "m1", "name", "scraped",
        "encoding", "float32")).orElseThrow());
    assertTrue(s.anyNameStartsWith("operator_sdk_"), "JOSDK's reconcile metrics are in the same registry");
    assertTrue(s.samples().stream().noneMatch(x -> x.labels().containsKey("silo") || x.labels().containsKey("round")));

    assertEquals(200, h.http("/healthz").statusCode());
    assertEquals(200, h.http("/readyz").statusCode());
  }

  @Test
  void seriesDisappearWhenTheJobIsDeleted() throws Exception {
    h.create(Jobs.job("m2", "brief", 1, "a"));
    h.awaitPhase("m2", "brief", Phase.Succeeded, Duration.ofSeconds(60));
    Map<String, String> job = Map.of("namespace", "m2", "name", "brief");
    assertTrue(Scrape.parse(scrape()).has("fedtt_rounds_completed_total", job));
    h.client.resources(FederatedFineTune.class).inNamespace("m2").withName("brief").delete();
    OperatorHarness.until("series removed", Duration.ofSeconds(20), () -> {
      try {
        Scrape s = Scrape.parse(scrape());
        return !s.has("fedtt_rounds_completed_total", job) && !s.has("fedtt_round_duration_seconds_count", job)
            && !s.has("fedtt_silo_updates_total", job) && !s.has("fedtt_bytes_total", job);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertFalse(Scrape.parse(scrape()).has("fedtt_accuracy", job));
  }

  /** CI installs promtool (.ci/install-tools); elsewhere the test is skipped. */
  @Test
  void promtoolFindsNoProblemInARealScrape() throws Exception {
    String promtool = onPath("promtool");
    assumeTrue(promtool != null, "promtool is not on PATH");
    String text = scrape();
    Process p = new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true).start();
    p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals("", out.trim(), "promtool check metrics:\n" + out);
    assertEquals(0, p.exitValue(), out);
  }

  static String onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, tool);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }
}
