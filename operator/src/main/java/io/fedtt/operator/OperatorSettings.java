package io.fedtt.operator;

import io.fedtt.operator.reconcile.Backoff;
import io.fedtt.operator.reconcile.ModelSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;

/**
 * Everything the operator process is configured with (flags or environment, see OperatorMain).
 *
 * @param namespaces watched namespaces; empty = all
 * @param federationBind where the federation endpoint listens
 * @param endpointUrl the URL workers use to reach it (e.g. the operator's Service); null = the bound address
 * @param storePath root of the round store shared by all jobs (round state and default outputs)
 * @param metricsBind where /metrics, /healthz and /readyz listen; null = off
 * @param leaderElection hold a Lease before reconciling (more than one replica)
 * @param serverSideApply patch status with server-side apply (production); off for test servers
 * @param defaultImage worker image when a job's template names none
 * @param reconcileThreads concurrent reconciles
 * @param reconcileNanos told how long each reconcile took (benchmarks); null = nobody
 * @param apiTimeout the longest one question to the API server may take at start and in {@code /readyz}
 *     (the readiness check uses at most 2 s of it, under the probe's own timeout); null = 5 s
 * @param models how a job's model shape is read when its manifest leaves it out (config.json over HTTP,
 *     probe pods for pvc:); null = HF_ENDPOINT/HF_TOKEN of the process, the worker image for probes
 */
public record OperatorSettings(Set<String> namespaces, InetSocketAddress federationBind, String endpointUrl,
                               Path storePath, InetSocketAddress metricsBind, boolean leaderElection,
                               String leaseName, String leaseNamespace, boolean serverSideApply, String defaultImage,
                               Backoff backoff, int reconcileThreads, Clock clock,
                               java.util.function.LongConsumer reconcileNanos, java.time.Duration apiTimeout,
                               ModelSettings models) {

  public static final String DEFAULT_IMAGE = "ghcr.io/fedtt/fedtt-worker:0.1.0";
  public static final java.time.Duration DEFAULT_API_TIMEOUT = java.time.Duration.ofSeconds(5);

  /** Without model settings: HF_ENDPOINT/HF_TOKEN of the process, the worker image for probes. */
  public OperatorSettings(Set<String> namespaces, InetSocketAddress federationBind, String endpointUrl,
      Path storePath, InetSocketAddress metricsBind, boolean leaderElection, String leaseName, String leaseNamespace,
      boolean serverSideApply, String defaultImage, Backoff backoff, int reconcileThreads, Clock clock,
      java.util.function.LongConsumer reconcileNanos, java.time.Duration apiTimeout) {
    this(namespaces, federationBind, endpointUrl, storePath, metricsBind, leaderElection, leaseName, leaseNamespace,
        serverSideApply, defaultImage, backoff, reconcileThreads, clock, reconcileNanos, apiTimeout, null);
  }

  public OperatorSettings {
    namespaces = namespaces == null ? Set.of() : Set.copyOf(namespaces);
    backoff = backoff == null ? Backoff.defaults() : backoff;
    clock = clock == null ? Clock.systemUTC() : clock;
    defaultImage = defaultImage == null ? DEFAULT_IMAGE : defaultImage;
    leaseName = leaseName == null ? "fedtt-operator-lock" : leaseName;
    apiTimeout = apiTimeout == null ? DEFAULT_API_TIMEOUT : apiTimeout;
    models = models == null ? ModelSettings.fromEnvironment(System.getenv()) : models;
    if (apiTimeout.isNegative() || apiTimeout.isZero()) {
      throw new IllegalArgumentException("--api-timeout must be positive, got " + apiTimeout);
    }
    if (reconcileThreads < 1) {
      throw new IllegalArgumentException("reconcileThreads must be >= 1, got " + reconcileThreads);
    }
  }

  /** Loopback ports picked by the OS, SSA off, no leader election: for tests against the mock server. */
  public static OperatorSettings forTests(Path store) {
    return new OperatorSettings(Set.of(), new InetSocketAddress("127.0.0.1", 0), null, store,
        new InetSocketAddress("127.0.0.1", 0), false, null, null, false, null, null, 8, null, null, null);
  }

  public OperatorSettings withBackoff(Backoff value) {
    return new OperatorSettings(namespaces, federationBind, endpointUrl, storePath, metricsBind, leaderElection,
        leaseName, leaseNamespace, serverSideApply, defaultImage, value, reconcileThreads, clock, reconcileNanos, apiTimeout, models);
  }

  public OperatorSettings withClock(Clock value) {
    return new OperatorSettings(namespaces, federationBind, endpointUrl, storePath, metricsBind, leaderElection,
        leaseName, leaseNamespace, serverSideApply, defaultImage, backoff, reconcileThreads, value, reconcileNanos, apiTimeout, models);
  }

  public OperatorSettings withLeaderElection(String lease, String namespace) {
    return new OperatorSettings(namespaces, federationBind, endpointUrl, storePath, metricsBind, true,
        lease, namespace, serverSideApply, defaultImage, backoff, reconcileThreads, clock, reconcileNanos, apiTimeout, models);
  }

  public OperatorSettings withReconcileNanos(java.util.function.LongConsumer value) {
    return new OperatorSettings(namespaces, federationBind, endpointUrl, storePath, metricsBind, leaderElection,
        leaseName, leaseNamespace, serverSideApply, defaultImage, backoff, reconcileThreads, clock, value, apiTimeout, models);
  }

  public OperatorSettings withModels(ModelSettings value) {
    return new OperatorSettings(namespaces, federationBind, endpointUrl, storePath, metricsBind, leaderElection,
        leaseName, leaseNamespace, serverSideApply, defaultImage, backoff, reconcileThreads, clock, reconcileNanos,
        apiTimeout, value);
  }

  public OperatorSettings withFederationBind(InetSocketAddress value) {
    return new OperatorSettings(namespaces, value, endpointUrl, storePath, metricsBind, leaderElection,
        leaseName, leaseNamespace, serverSideApply, defaultImage, backoff, reconcileThreads, clock, reconcileNanos, apiTimeout, models);
  }
}
