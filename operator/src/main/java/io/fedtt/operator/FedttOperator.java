package io.fedtt.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.operator.build.PodSettings;
import io.fedtt.operator.federation.FederationHost;
import io.fedtt.operator.federation.RoundEventSource;
import io.fedtt.operator.metrics.FedttMetrics;
import io.fedtt.operator.metrics.MetricsServer;
import io.fedtt.operator.reconcile.FederatedFineTuneReconciler;
import io.fedtt.operator.reconcile.ReconcilerSettings;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Clock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The operator process's parts wired together: the federation endpoint (one for all jobs), the
 * round store, the JOSDK operator with the FederatedFineTune reconciler, and the metrics/health
 * port. One Prometheus registry holds the job metrics and, through Micrometer, JOSDK's own.
 */
public final class FedttOperator implements AutoCloseable {

  private final Operator operator;
  private final FederationServer server;
  private final FederationHost host;
  private final MetricsServer metricsServer;
  private final PrometheusRegistry registry;
  private final String endpoint;

  private FedttOperator(Operator operator, FederationServer server, FederationHost host, MetricsServer metricsServer,
      PrometheusRegistry registry, String endpoint) {
    this.operator = operator;
    this.server = server;
    this.host = host;
    this.metricsServer = metricsServer;
    this.registry = registry;
    this.endpoint = endpoint;
  }

  /** Starts everything; returns once the operator's informers have synced. */
  public static FedttOperator start(OperatorSettings s, KubernetesClient client) {
    PrometheusRegistry registry = new PrometheusRegistry();
    FedttMetrics metrics = new FedttMetrics(registry);
    FederationServer server;
    try {
      server = FederationServer.start(ServerConfig.loopback().withBind(s.federationBind()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the federation endpoint to " + s.federationBind() + ": "
          + e.getMessage(), e);
    }
    String endpoint = s.endpointUrl() != null ? s.endpointUrl() : server.baseUri().toString();
    RoundEventSource rounds = new RoundEventSource();
    FederationHost host = new FederationHost(server, s.storePath(), CoordinatorOptions.defaults(), rounds, metrics);
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, registry, Clock.SYSTEM);
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withUseSSAToPatchPrimaryResource(s.serverSideApply())
          .withSSABasedCreateUpdateMatchForDependentResources(s.serverSideApply())
          .withConcurrentReconciliationThreads(s.reconcileThreads())
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters))
          .withCloseClientOnStop(false);
      if (s.leaderElection()) {
        o.withLeaderElectionConfiguration(s.leaseNamespace() == null
            ? new LeaderElectionConfiguration(s.leaseName())
            : new LeaderElectionConfiguration(s.leaseName(), s.leaseNamespace()));
      }
    });
    ReconcilerSettings rs = new ReconcilerSettings(PodSettings.of(s.defaultImage(), endpoint), s.backoff(), null,
        s.clock());
    operator.register(new FederatedFineTuneReconciler(host, rounds, metrics, rs, s.serverSideApply()), c -> {
      if (s.namespaces().isEmpty()) {
        c.watchingAllNamespaces();
      } else {
        c.settingNamespaces(s.namespaces());
      }
    });
    MetricsServer ms = null;
    try {
      if (s.metricsBind() != null) {
        ms = MetricsServer.start(s.metricsBind(), registry, () -> true,
            () -> operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy());
      }
      operator.start();
    } catch (IOException | RuntimeException e) {
      if (ms != null) {
        ms.close();
      }
      host.close();
      server.close();
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot bind the metrics port " + s.metricsBind() + ": " + e.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
    return new FedttOperator(operator, server, host, ms, registry, endpoint);
  }

  /** The URL workers are told to use. */
  public String endpoint() {
    return endpoint;
  }

  public FederationHost host() {
    return host;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** The metrics port, or -1 when metrics are off. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  public Operator operator() {
    return operator;
  }

  /** Stops reconciling, closes every coordinator (state stays on disk) and both ports. */
  @Override
  public void close() {
    try {
      operator.stop();
    } finally {
      host.close();
      server.close();
      if (metricsServer != null) {
        metricsServer.close();
      }
    }
  }
}
