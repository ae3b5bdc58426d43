package io.fedtt.operator.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.operator.FedttOperator;
import io.fedtt.operator.OperatorSettings;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The operator against the Fabric8 CRUD mock API server, with a {@link TestKubelet} running worker
 * pods: what every operator test (and e2e) starts from. One per test class keeps tests fast.
 */
public final class OperatorHarness implements AutoCloseable {

  public final KubernetesClient client;
  public final Path store;
  public FedttOperator operator;
  public final TestKubelet kubelet;
  private final OperatorSettings settings;

  private OperatorHarness(KubernetesClient client, Path store, OperatorSettings settings, TestKubelet.Worker worker) {
    this.client = client;
    this.store = store;
    this.settings = settings;
    long t0 = System.nanoTime();
    installCrd(client);
    long t1 = System.nanoTime();
    this.operator = FedttOperator.start(settings, client);
    long t2 = System.nanoTime();
    this.kubelet = new TestKubelet(client, worker);
    System.err.printf("harness start: crd %d ms, operator %d ms, kubelet %d ms%n", (t1 - t0) / 1_000_000,
        (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
  }

  public static OperatorHarness start(KubernetesClient client, Path store, OperatorSettings settings,
      TestKubelet.Worker worker) {
    return new OperatorHarness(client, store, settings, worker);
  }

  /** Stops the operator process (round state stays in the store) and starts a new one on the same store. */
  public void restartOperator() {
    operator.close();
    operator = FedttOperator.start(settings, client);
  }

  static void installCrd(KubernetesClient client) {
    String path = "/META-INF/fabric8/" + FederatedFineTune.CRD_FILE;
    try (InputStream in = FederatedFineTune.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("no " + path + " on the classpath");
      }
      CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
      if (client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get() == null) {
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public FederatedFineTune create(FederatedFineTune job) {
    return client.resources(FederatedFineTune.class).inNamespace(job.getMetadata().getNamespace()).resource(job).create();
  }

  public FederatedFineTune get(String ns, String name) {
    return client.resources(FederatedFineTune.class).inNamespace(ns).withName(name).get();
  }

  /** Edits the spec, retrying when the operator's status writes got in between (409). */
  public FederatedFineTune edit(String ns, String name, UnaryOperator<FederatedFineTune> change) {
    for (int attempt = 0; ; attempt++) {
      try {
        return client.resources(FederatedFineTune.class).inNamespace(ns).withName(name).edit(change);
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 20) {
          throw e;
        }
        sleep(20);
      }
    }
  }

  public FederatedFineTune awaitPhase(String ns, String name, Phase phase, Duration timeout) {
    return await(ns, name, j -> j.getStatus() != null && j.getStatus().getPhase() == phase,
        "phase " + phase, timeout);
  }

  public FederatedFineTune await(String ns, String name, Predicate<FederatedFineTune> ok, String what,
      Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    FederatedFineTune last = null;
    while (System.nanoTime() < end) {
      last = get(ns, name);
      if (last != null && ok.test(last)) {
        return last;
      }
      sleep(50);
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + ns + "/" + name + " to reach " + what
        + "; last status: " + (last == null ? "(gone)" : last.getStatus()));
  }

  /** Waits until {@code check} holds. */
  public static void until(String what, Duration timeout, java.util.function.BooleanSupplier check) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (check.getAsBoolean()) {
        return;
      }
      sleep(50);
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what);
  }

  /** GET on the operator's metrics port. */
  public HttpResponse<String> http(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + operator.metricsPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Thread.sleep that turns an interrupt into an unchecked failure (restoring the flag). */
  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    long t0 = System.nanoTime();
    kubelet.close();
    long t1 = System.nanoTime();
    operator.close();
    System.err.printf("harness close: kubelet %d ms, operator %d ms%n", (t1 - t0) / 1_000_000,
        (System.nanoTime() - t1) / 1_000_000);
  }
}
