package io.fedtt.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fedtt.operator.testing.OperatorHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} follows the API server: ready while it answers, not ready once it stops answering
 * (an operator that cannot reach it can neither create pods nor record status). {@code /healthz}
 * stays ok through the outage: restarting the process would not bring the API server back, and it
 * would cut off the workers whose rounds the federation endpoint keeps running meanwhile.
 */
class ApiServerReadinessTest {

  @TempDir
  Path store;

  record Answer(int code, String body) {
  }

  private static Answer get(int port, String path) throws Exception {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (java.io.IOException e) {
      return new Answer(-1, e.toString());
    }
  }

  /** Polls until the probe answers {@code code} with a body containing {@code text}; the deadline only detects a hang. */
  private static void await(int port, String path, int code, String text) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Answer last = null;
    while (System.nanoTime() < end) {
      last = get(port, path);
      if (last.code() == code && last.body().contains(text)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(path + " answered " + last + ", never " + code + " with '" + text + "'");
  }

  @Test
  void readyzFollowsTheApiServerAndHealthzOutlivesAnOutage() throws Exception {
    KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    api.init();
    KubernetesClient client = api.createClient();
    OperatorHarness h = null;
    try {
      h = OperatorHarness.start(client, store, OperatorSettings.forTests(store), new io.fedtt.operator.testing.FakeWorker());
      int port = h.operator.metricsPort();
      await(port, "/readyz", 200, "ok");
      assertEquals(200, get(port, "/healthz").code());

      api.destroy();
      await(port, "/readyz", 503, "Kubernetes API server unreachable");
      assertTrue(h.operator.apiServerProblem().isPresent());
      assertEquals(200, get(port, "/healthz").code(), "a short API outage must not get the pod restarted");
    } finally {
      if (h != null) {
        h.close();
      }
      client.close();
    }
  }
}
