package io.fedtt.operator.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The operator's own HTTP port: {@code /metrics} (Prometheus text or OpenMetrics, by Accept
 * header), {@code /healthz} (the process is alive and serving federation; a liveness probe restarts
 * it when not) and {@code /readyz} (the operator leads, started, its informers are healthy and the
 * API server answers). Each probe is given a supplier of the problem: null when all is well, else a
 * short reason that becomes the 503 body. Separate from the federation endpoint.
 */
public final class MetricsServer implements AutoCloseable {

  private final HttpServer http;
  private final ExecutorService pool;

  private MetricsServer(HttpServer http, ExecutorService pool) {
    this.http = http;
    this.pool = pool;
  }

  public static MetricsServer start(InetSocketAddress bind, PrometheusRegistry registry, Supplier<String> unhealthy,
      Supplier<String> unready) throws IOException {
    HttpServer http = HttpServer.create(bind, 16);
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "fedtt-metrics-http");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(pool);
    http.createContext("/metrics", new MetricsHandler(registry));
    http.createContext("/healthz", ex -> probe(ex, unhealthy.get()));
    http.createContext("/readyz", ex -> probe(ex, unready.get()));
    http.start();
    return new MetricsServer(http, pool);
  }

  private static void probe(HttpExchange ex, String problem) throws IOException {
    boolean ok = problem == null;
    byte[] body = (ok ? "ok\n" : "not ok: " + problem + "\n").getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(ok ? 200 : 503, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  public int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
    pool.shutdownNow();
  }
}
