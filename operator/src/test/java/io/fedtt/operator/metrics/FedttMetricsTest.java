package io.fedtt.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.coordinator.Rejection;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FedttMetricsTest {

  private static Scrape scrape(PrometheusRegistry r) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, r.scrape());
    return Scrape.parse(out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void uploadsCountedByResultAndDroppedWithTheJob() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    FedttMetrics m = new FedttMetrics(registry);
    JobId job = new JobId("ns", "j");
    m.updateAccepted(job, 1, "a", 1, 2);
    m.updateAccepted(job, 1, "b", 2, 2);
    m.updateRefused(job, 1, "c", Rejection.Kind.GONE, "round 1 is closed");
    m.updateRefused(job, 2, "a", Rejection.Kind.INVALID, "tensor x has shape [2]");
    m.updateRefused(job, 2, "a", Rejection.Kind.CONFLICT, "a different update");
    m.updateRefused(job, 2, "b", Rejection.Kind.BUSY, "retry");
    Scrape s = scrape(registry);
    Map<String, String> l = Map.of("namespace", "ns", "name", "j");
    assertEquals(2.0, s.value("fedtt_silo_updates_total", plus(l, "accepted")).orElseThrow());
    assertEquals(2.0, s.value("fedtt_silo_updates_total", plus(l, "rejected")).orElseThrow());
    assertEquals(1.0, s.value("fedtt_silo_updates_total", plus(l, "late")).orElseThrow());
    m.remove(job);
    assertFalse(scrape(registry).has("fedtt_silo_updates_total", l));
  }

  private static Map<String, String> plus(Map<String, String> l, String result) {
    var m = new java.util.HashMap<>(l);
    m.put("result", result);
    return m;
  }
}
