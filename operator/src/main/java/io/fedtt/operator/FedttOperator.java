package io.fedtt.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.operator.build.PodSettings;
import io.fedtt.operator.federation.FederationHost;
import io.fedtt.operator.federation.RoundEventSource;
import io.fedtt.operator.metrics.FedttMetrics;
import io.fedtt.operator.metrics.JosdkMeterDescriptions;
import io.fedtt.operator.metrics.MetricsServer;
import io.fedtt.operator.reconcile.FederatedFineTuneReconciler;
import io.fedtt.operator.reconcile.ReconcilerSettings;
import io.javaoperatorsdk.operator.Operator;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Clock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.Phase;

/**
 * The operator process's parts wired together: the federation endpoint (one for all jobs), the
 * round store, the JOSDK operator with the FederatedFineTune reconciler, and the metrics/health
 * port. One Prometheus registry holds the job metrics and, through Micrometer, JOSDK's own.
 */
public final class FedttOperator implements AutoCloseable {

  /** The longest the endpoint waits at start for running jobs to be hosted again. */
  static final Duration REHOST_WAIT = Duration.ofSeconds(15);

  /**
   * How long after start the endpoint answers "retry" (503) for a job it does not host yet: covers
   * attaching the re-hosted jobs and a job re-hosted after {@link #REHOST_WAIT} ran out.
   */
  static final Duration STARTUP_GRACE = Duration.ofSeconds(30);

  /** The longest one readiness check waits for the API server (under the chart's probe timeout of 3 s). */
  static final Duration READY_CHECK_MAX = Duration.ofSeconds(2);

  private final Operator operator;
  private final FederationServer server;
  private final FederationHost host;
  private final MetricsServer metricsServer;
  private final PrometheusRegistry registry;
  private final String endpoint;
  private final ClusterAccess.Probe apiProbe;

  private FedttOperator(Operator operator, FederationServer server, FederationHost host, MetricsServer metricsServer,
      PrometheusRegistry registry, String endpoint, ClusterAccess.Probe apiProbe) {
    this.apiProbe = apiProbe;
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
    // The endpoint URL goes into every pod, so it must be known before the first reconcile; the
    // server itself starts only once the jobs that were running are hosted again (see below).
    InetSocketAddress bind = s.federationBind().getPort() == 0
        ? new InetSocketAddress(s.federationBind().getAddress(), freePort(s.federationBind()))
        : s.federationBind();
    String endpoint = s.endpointUrl() != null ? s.endpointUrl()
        : "http://" + hostOf(bind) + ":" + bind.getPort();
    RoundEventSource rounds = new RoundEventSource();
    FederationHost host = new FederationHost(null, s.storePath(), CoordinatorOptions.defaults(), rounds, metrics);
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, registry, Clock.SYSTEM);
    meters.config().meterFilter(new JosdkMeterDescriptions());
    java.util.concurrent.atomic.AtomicBoolean leading = new java.util.concurrent.atomic.AtomicBoolean(!s.leaderElection());
    java.util.concurrent.atomic.AtomicBoolean lostLease = new java.util.concurrent.atomic.AtomicBoolean();
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withUseSSAToPatchPrimaryResource(s.serverSideApply())
          .withSSABasedCreateUpdateMatchForDependentResources(s.serverSideApply())
          .withConcurrentReconciliationThreads(s.reconcileThreads())
          .withExecutorService(reconcilers(s.reconcileThreads()))
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(meters))
          .withCloseClientOnStop(false);
      if (s.leaderElection()) {
        // Only the leader reconciles and so hosts jobs: only it reports ready, so that a Service
        // gated on readiness sends workers to the replica that serves their jobs. A leader that
        // loses its Lease closes its coordinators at once (the new leader resumes them from the
        // shared store) and reports unhealthy, so that its liveness probe restarts it.
        o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(s.leaseName(), s.leaseNamespace(),
            LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
            LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
            LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null,
            new LeaderCallbacks(() -> leading.set(true), () -> {
              leading.set(false);
              lostLease.set(true);
              host.close();
            }, id -> { }), false));
      }
    });
    ReconcilerSettings rs = new ReconcilerSettings(PodSettings.of(s.defaultImage(), endpoint), s.backoff(), null,
        s.clock(), s.reconcileNanos(), s.models());
    operator.register(new FederatedFineTuneReconciler(host, rounds, metrics, rs, s.serverSideApply()), c -> {
      if (s.namespaces().isEmpty()) {
        c.watchingAllNamespaces();
      } else {
        c.settingNamespaces(s.namespaces());
      }
    });
    MetricsServer ms = null;
    FederationServer server = null;
    ClusterAccess.Probe apiProbe = new ClusterAccess.Probe(client.getConfiguration(),
        s.apiTimeout().compareTo(READY_CHECK_MAX) < 0 ? s.apiTimeout() : READY_CHECK_MAX);
    try {
      if (s.metricsBind() != null) {
        // Liveness: only a lost Lease (a restart is the way back). An unreachable API server makes
        // the operator not ready but stays alive: a restart would not bring the API server back and
        // would cut off the workers whose rounds the federation endpoint keeps running meanwhile.
        ms = MetricsServer.start(s.metricsBind(), registry, () -> lostLease.get() ? "lost the leader Lease" : null,
            () -> readiness(operator, leading.get(), apiProbe));
      }
      operator.start();
      awaitRehosted(client, s, host, leading);
      // A restarted operator re-hosts its jobs moments after the endpoint is up; meanwhile workers
      // hear "retry" (503), not "bad token" (401), which they would take as fatal.
      server = FederationServer.start(ServerConfig.loopback().withBind(bind).withStartupGrace(STARTUP_GRACE));
      host.attach(server);
    } catch (IOException | RuntimeException e) {
      operator.stop();
      apiProbe.close();
      if (ms != null) {
        ms.close();
      }
      host.close();
      if (server != null) {
        server.close();
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot bind " + bind + " or the metrics port " + s.metricsBind() + ": "
            + e.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
    return new FedttOperator(operator, server, host, ms, registry, endpoint, apiProbe);
  }

  /** Null when ready, else why not: not the leader, not started, an informer down, or the API server unreachable. */
  private static String readiness(Operator operator, boolean leading, ClusterAccess.Probe apiProbe) {
    if (!leading) {
      return "not the leader";
    }
    if (!operator.getRuntimeInfo().isStarted()) {
      return "starting";
    }
    java.util.Optional<String> api = apiProbe.problem();
    if (api.isPresent()) {
      return "Kubernetes API server unreachable: " + api.get();
    }
    return operator.getRuntimeInfo().allEventSourcesAreHealthy() ? null : "an informer is not healthy";
  }

  /** Why the API server did not answer the last readiness check (at most a second old), or empty. */
  public java.util.Optional<String> apiServerProblem() {
    return apiProbe.problem();
  }

  /**
   * Waits (bounded) until every job that had started and is not finished or suspended, according to its status, is hosted again, so
   * that after an operator restart workers never meet an endpoint that does not know their job.
   */
  private static void awaitRehosted(KubernetesClient client, OperatorSettings s, FederationHost host,
      java.util.concurrent.atomic.AtomicBoolean leading) {
    long end = System.nanoTime() + REHOST_WAIT.toNanos();
    while (System.nanoTime() < end) {
      if (leading.get() && host.hostedJobs() >= runningJobs(client, s)) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static long runningJobs(KubernetesClient client, OperatorSettings s) {
    var api = client.resources(FederatedFineTune.class);
    java.util.List<FederatedFineTune> jobs = s.namespaces().isEmpty()
        ? api.inAnyNamespace().list().getItems()
        : s.namespaces().stream().flatMap(ns -> api.inNamespace(ns).list().getItems().stream()).toList();
    return jobs.stream().filter(j -> j.getStatus() != null && j.getStatus().getStartTime() != null
        && !j.getStatus().getPhase().isFinished() && j.getStatus().getPhase() != Phase.Suspended
        && !Boolean.TRUE.equals(j.getSpec().getSuspend())).count();
  }

  /** JOSDK's reconcile pool, with thread names that say whose they are. */
  private static java.util.concurrent.ExecutorService reconcilers(int n) {
    java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
    return java.util.concurrent.Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "fedtt-reconciler-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  private static int freePort(InetSocketAddress bind) {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, bind.getAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + bind.getAddress() + ": " + e.getMessage(), e);
    }
  }

  private static String hostOf(InetSocketAddress a) {
    if (a.getAddress() == null || a.getAddress().isAnyLocalAddress()) {
      return "127.0.0.1";
    }
    String h = a.getAddress().getHostAddress();
    return h.contains(":") ? "[" + h + "]" : h;
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
      apiProbe.close();
    }
  }
}
