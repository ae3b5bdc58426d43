package io.fedtt.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fedtt.operator.reconcile.Backoff;
import io.fedtt.operator.reconcile.ModelSettings;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The operator process. Every flag can also be given by the environment variable in its
 * description (flags win), which is how the Helm chart configures it.
 *
 * <p>Before anything starts it checks the flags, the store directory and the API server (bounded by
 * {@code --api-timeout}, no retries); a problem ends the process with one line on stderr and exit
 * code {@value ClusterAccess#EXIT_CONFIG} (configuration: a flag, the kubeconfig, the credentials,
 * the store) or {@value ClusterAccess#EXIT_UNREACHABLE} (the API server does not answer, or the
 * operator fails to start), never a stack trace.
 */
@Command(name = "fedtt-operator", mixinStandardHelpOptions = true, version = "fedtt-operator 0.1.0",
    description = "Reconciles FederatedFineTune resources into worker pods and serves the federation endpoint.")
public final class OperatorMain implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--kubeconfig", defaultValue = "${env:KUBECONFIG}",
      description = "Kubeconfig file (or path list) of the cluster (env KUBECONFIG; default: ~/.kube/config, "
          + "else the pod's service account).")
  String kubeconfig;

  @Option(names = "--api-timeout", defaultValue = "${env:FEDTT_API_TIMEOUT:-PT5S}",
      description = "Longest wait for the API server at start and per readiness check, no retries (ISO-8601 "
          + "duration; env FEDTT_API_TIMEOUT; default ${DEFAULT-VALUE}).")
  Duration apiTimeout;

  @Option(names = "--namespaces", split = ",", defaultValue = "${env:FEDTT_WATCH_NAMESPACES:-}",
      description = "Namespaces to watch, comma-separated; empty = all (env FEDTT_WATCH_NAMESPACES).")
  String[] namespaces = new String[0];

  @Option(names = "--federation-bind", defaultValue = "${env:FEDTT_FEDERATION_BIND:-0.0.0.0:8443}",
      description = "host:port the federation endpoint listens on (env FEDTT_FEDERATION_BIND; default ${DEFAULT-VALUE}).")
  String federationBind;

  @Option(names = "--endpoint-url", defaultValue = "${env:FEDTT_ENDPOINT_URL}",
      description = "URL workers use to reach the endpoint, e.g. http://fedtt-operator.fedtt.svc:8443 "
          + "(env FEDTT_ENDPOINT_URL; default: the bound address).")
  String endpointUrl;

  @Option(names = "--store", defaultValue = "${env:FEDTT_STORE:-/var/lib/fedtt}",
      description = "Directory of the round store shared by all jobs (env FEDTT_STORE; default ${DEFAULT-VALUE}).")
  Path store;

  @Option(names = "--metrics-bind", defaultValue = "${env:FEDTT_METRICS_BIND:-0.0.0.0:8080}",
      description = "host:port of /metrics, /healthz and /readyz, or 'off' (env FEDTT_METRICS_BIND; default ${DEFAULT-VALUE}).")
  String metricsBind;

  @Option(names = "--leader-election", negatable = true, defaultValue = "${env:FEDTT_LEADER_ELECTION:-false}",
      fallbackValue = "true", description = "Take a Lease before reconciling; needed with more than one replica "
          + "(env FEDTT_LEADER_ELECTION; default ${DEFAULT-VALUE}).")
  boolean leaderElection;

  @Option(names = "--lease-name", defaultValue = "${env:FEDTT_LEASE_NAME:-fedtt-operator-lock}",
      description = "Name of the Lease (env FEDTT_LEASE_NAME; default ${DEFAULT-VALUE}).")
  String leaseName;

  @Option(names = "--lease-namespace", defaultValue = "${env:FEDTT_LEASE_NAMESPACE}",
      description = "Namespace of the Lease (env FEDTT_LEASE_NAMESPACE; default: the operator's own namespace).")
  String leaseNamespace;

  @Option(names = "--server-side-apply", negatable = true, defaultValue = "${env:FEDTT_SERVER_SIDE_APPLY:-true}",
      fallbackValue = "true", description = "Write status with server-side apply (env FEDTT_SERVER_SIDE_APPLY; "
          + "default ${DEFAULT-VALUE}); turn off only for API servers without it.")
  boolean serverSideApply;

  @Option(names = "--worker-image", defaultValue = "${env:FEDTT_WORKER_IMAGE:-" + OperatorSettings.DEFAULT_IMAGE + "}",
      description = "Worker image for jobs whose workerTemplate names none (env FEDTT_WORKER_IMAGE; default ${DEFAULT-VALUE}).")
  String workerImage;

  @Option(names = "--reconcile-threads", defaultValue = "${env:FEDTT_RECONCILE_THREADS:-8}",
      description = "Concurrent reconciles (env FEDTT_RECONCILE_THREADS; default ${DEFAULT-VALUE}).")
  int reconcileThreads;

  @Option(names = "--pod-backoff", defaultValue = "${env:FEDTT_POD_BACKOFF:-PT10S}",
      description = "First delay before a failed worker pod is recreated, doubling per failure up to 6 minutes "
          + "(ISO-8601 duration; env FEDTT_POD_BACKOFF; default ${DEFAULT-VALUE}).")
  Duration podBackoff;

  @Option(names = "--model-probe-image", defaultValue = "${env:FEDTT_MODEL_PROBE_IMAGE}",
      description = "Image of the short pod that prints a pvc: model's config.json (it runs cat; env "
          + "FEDTT_MODEL_PROBE_IMAGE; default: the job's worker image).")
  String modelProbeImage;

  @Option(names = "--model-probe-timeout", defaultValue = "${env:FEDTT_MODEL_PROBE_TIMEOUT:-PT5M}",
      description = "How long a model probe pod may take, scheduling and image pull included (ISO-8601 duration; "
          + "env FEDTT_MODEL_PROBE_TIMEOUT; default ${DEFAULT-VALUE}).")
  Duration modelProbeTimeout;

  /** The settings these flags describe. */
  OperatorSettings settings() {
    Set<String> ns = new LinkedHashSet<>();
    Arrays.stream(namespaces).map(String::trim).filter(s -> !s.isEmpty()).forEach(ns::add);
    InetSocketAddress metrics = "off".equalsIgnoreCase(metricsBind.trim()) ? null : address("--metrics-bind", metricsBind);
    return new OperatorSettings(ns, address("--federation-bind", federationBind), blankToNull(endpointUrl), store,
        metrics, leaderElection, leaseName, blankToNull(leaseNamespace), serverSideApply, workerImage,
        new Backoff(podBackoff, Duration.ofMinutes(6)), reconcileThreads, null, null, apiTimeout,
        ModelSettings.fromEnvironment(System.getenv()).withProbe(blankToNull(modelProbeImage), modelProbeTimeout));
  }

  static InetSocketAddress address(String flag, String value) {
    int colon = value.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(flag + " must be host:port, got '" + value + "'");
    }
    try {
      String host = value.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(value.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + " must be host:port, got '" + value + "': " + e.getMessage());
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    try {
      return run(err);
    } catch (ClusterAccess.Failure f) {
      err.println("fedtt-operator: " + f.getMessage());
      err.flush();
      return f.exitCode();
    }
  }

  private int run(PrintWriter err) throws InterruptedException {
    OperatorSettings s;
    try {
      s = settings();
    } catch (IllegalArgumentException e) {
      throw new ClusterAccess.Failure(ClusterAccess.EXIT_CONFIG, e.getMessage());
    }
    checkStore(s.storePath());
    ClusterAccess.Target target = ClusterAccess.resolve(kubeconfig, System.getenv(),
        Path.of(System.getProperty("user.home")));
    ClusterAccess.checkReachable(target, s.apiTimeout());
    KubernetesClient client = new KubernetesClientBuilder().withConfig(target.config()).build();
    FedttOperator operator;
    try {
      operator = FedttOperator.start(s, client);
    } catch (RuntimeException e) {
      client.close();
      throw new ClusterAccess.Failure(ClusterAccess.EXIT_UNREACHABLE, "cannot start against the Kubernetes API server "
          + target.describe() + ": " + ClusterAccess.oneLine(e));
    }
    err.println("fedtt-operator: API server " + target.describe() + ", federation endpoint " + operator.endpoint()
        + ", metrics port " + operator.metricsPort() + ", store " + s.storePath().toAbsolutePath()
        + ", namespaces " + (s.namespaces().isEmpty() ? "all" : s.namespaces()));
    err.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.close();
      client.close();
      stopped.countDown();
    }, "fedtt-operator-shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * The store must be a directory this process can create and write, checked before anything starts
   * (round state is written there at the first reconcile, far from the flag that named it).
   */
  static void checkStore(Path store) {
    try {
      Files.createDirectories(store);
    } catch (java.io.IOException | RuntimeException e) {
      throw new ClusterAccess.Failure(ClusterAccess.EXIT_CONFIG, "--store " + store
          + ": cannot create the directory: " + ClusterAccess.oneLine(e));
    }
    if (!Files.isDirectory(store)) {
      throw new ClusterAccess.Failure(ClusterAccess.EXIT_CONFIG, "--store " + store + " is not a directory");
    }
    try {
      Path probe = Files.createTempFile(store, ".fedtt-write-check", ".tmp");
      Files.delete(probe);
    } catch (java.io.IOException | RuntimeException e) {
      throw new ClusterAccess.Failure(ClusterAccess.EXIT_CONFIG, "--store " + store + " is not writable: "
          + ClusterAccess.oneLine(e));
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new OperatorMain()).execute(args));
  }
}
