package io.fedtt.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where the operator finds the Kubernetes API server, and whether it answers: checked once before
 * anything starts (a bounded wait, no retries, one line naming the kubeconfig and the URL) and
 * again on every readiness probe ({@link Probe}).
 *
 * <p>Exit codes of the operator process: {@value #EXIT_CONFIG} for a configuration error the user
 * fixes by changing a flag or a file (a bad flag value, a kubeconfig that is missing, unparsable or
 * names no server, credentials the API server rejects, a store directory that cannot be written);
 * {@value #EXIT_UNREACHABLE} when the API server does not answer within {@code --api-timeout} or the
 * operator fails to start for another reason.
 */
public final class ClusterAccess {

  public static final int EXIT_UNREACHABLE = 1;
  public static final int EXIT_CONFIG = 2;

  private ClusterAccess() {
  }

  /** A start-up problem: one line for the user and the process's exit code. */
  public static final class Failure extends RuntimeException {
    private final int exitCode;

    public Failure(int exitCode, String message) {
      super(message, null, false, false);
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  /**
   * The client configuration and where it came from.
   *
   * @param config the Fabric8 configuration
   * @param source for messages: "kubeconfig /path" or "in-cluster service account"
   */
  public record Target(Config config, String source) {
    public String apiUrl() {
      return config.getMasterUrl();
    }

    /** "https://host:6443/ (kubeconfig /path)", for messages. */
    public String describe() {
      return apiUrl() + " (" + source + ")";
    }
  }

  /**
   * Finds the configuration the way kubectl does, but says so when there is none: {@code kubeconfig}
   * (the flag, or {@code KUBECONFIG}; a path list is allowed) first, then {@code ~/.kube/config}, then
   * the pod's service account when {@code KUBERNETES_SERVICE_HOST} is set.
   *
   * @param kubeconfig the --kubeconfig value (defaults to $KUBECONFIG); null or blank = not given
   * @param env the process environment
   * @param home the user's home directory
   * @throws Failure with {@link #EXIT_CONFIG} when a named file is missing or unreadable, or nothing is found
   */
  public static Target resolve(String kubeconfig, Map<String, String> env, Path home) {
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      List<String> files = List.of(kubeconfig.split(File.pathSeparator)).stream()
          .filter(f -> !f.isBlank()).toList();
      for (String f : files) {
        if (!Files.exists(Path.of(f))) {
          throw new Failure(EXIT_CONFIG, "kubeconfig " + f + " does not exist (--kubeconfig or KUBECONFIG)");
        }
      }
      return files.size() == 1 ? load(Path.of(files.get(0))) : loadList(kubeconfig);
    }
    Path homeConfig = home.resolve(".kube").resolve("config");
    if (Files.exists(homeConfig)) {
      return load(homeConfig);
    }
    if (present(env.get("KUBERNETES_SERVICE_HOST"))) {
      Config config;
      try {
        config = Config.autoConfigure(null);
      } catch (RuntimeException e) {
        throw new Failure(EXIT_CONFIG, "cannot read the pod's service account configuration: " + oneLine(e));
      }
      return new Target(config, "in-cluster service account");
    }
    throw new Failure(EXIT_CONFIG, "no Kubernetes configuration: --kubeconfig and KUBECONFIG are unset, "
        + homeConfig + " does not exist, and this is not a pod (KUBERNETES_SERVICE_HOST is unset)");
  }

  private static Target load(Path file) {
    Config config;
    try {
      config = Config.fromKubeconfig(null, file.toFile());
    } catch (RuntimeException e) {
      throw new Failure(EXIT_CONFIG, "kubeconfig " + file + " cannot be read: " + oneLine(e));
    }
    return checked(config, "kubeconfig " + file);
  }

  /** A path list, as in KUBECONFIG=a:b, merged by Fabric8 as kubectl does. */
  private static Target loadList(String files) {
    String previous = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    Config config;
    try {
      System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, files);
      config = Config.autoConfigure(null);
    } catch (RuntimeException e) {
      throw new Failure(EXIT_CONFIG, "kubeconfig " + files + " cannot be read: " + oneLine(e));
    } finally {
      if (previous == null) {
        System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
      } else {
        System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, previous);
      }
    }
    return checked(config, "kubeconfig " + files);
  }

  private static Target checked(Config config, String source) {
    if (config.getFile() == null || config.getCurrentContext() == null || !present(config.getMasterUrl())) {
      throw new Failure(EXIT_CONFIG, source + " names no current context with a cluster server");
    }
    return new Target(config, source);
  }

  /**
   * Fails at once, with one line, unless the API server answers within {@code timeout}; no retries.
   * Any HTTP answer counts as reachable, except 401 (the credentials are wrong: a configuration error).
   */
  public static void checkReachable(Target target, Duration timeout) {
    try (Probe probe = new Probe(target.config(), timeout)) {
      Answer a = probe.ask();
      if (a.code() == 401) {
        throw new Failure(EXIT_CONFIG, "the Kubernetes API server " + target.describe()
            + " rejected the credentials (401 Unauthorized)");
      }
      if (a.problem() != null) {
        throw new Failure(EXIT_UNREACHABLE, "cannot reach the Kubernetes API server " + target.describe() + ": "
            + a.problem() + " (one try, --api-timeout " + timeout + ")");
      }
    }
  }

  record Answer(int code, String problem) {
  }

  /**
   * Asks the API server for {@code /version} with its own client: short timeouts, no retries, so
   * that one question takes at most {@code timeout}. Used at start and by {@code /readyz}; the last
   * answer is kept for a second so that frequent probes cannot flood the API server.
   */
  public static final class Probe implements AutoCloseable {

    private static final long REUSE_NANOS = Duration.ofSeconds(1).toNanos();

    private final KubernetesClient client;
    private final String url;
    private final Duration timeout;
    private Answer last;
    private long lastAt;

    public Probe(Config config, Duration timeout) {
      this.timeout = timeout;
      this.url = config.getMasterUrl().endsWith("/") ? config.getMasterUrl() + "version"
          : config.getMasterUrl() + "/version";
      int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      Config quick = new ConfigBuilder(config).withRequestRetryBackoffLimit(0).withConnectionTimeout(ms)
          .withRequestTimeout(ms).build();
      try {
        this.client = new KubernetesClientBuilder().withConfig(quick).build();
      } catch (RuntimeException e) {
        throw new Failure(EXIT_CONFIG, "cannot build a client for " + config.getMasterUrl() + ": " + oneLine(e));
      }
    }

    /** Empty when the API server answered (with anything), else why not. */
    public synchronized Optional<String> problem() {
      if (last == null || System.nanoTime() - lastAt > REUSE_NANOS) {
        last = ask();
        lastAt = System.nanoTime();
      }
      return Optional.ofNullable(last.problem());
    }

    Answer ask() {
      HttpClient http = client.getHttpClient();
      try {
        HttpRequest request = http.newHttpRequestBuilder().url(new URL(url)).build();
        HttpResponse<String> r = http.sendAsync(request, String.class)
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return new Answer(r.code(), null);
      } catch (TimeoutException e) {
        return new Answer(0, "no answer within " + timeout.toMillis() + " ms");
      } catch (ExecutionException e) {
        return new Answer(0, transportProblem(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Answer(0, "interrupted");
      } catch (java.net.MalformedURLException | RuntimeException e) {
        return new Answer(0, oneLine(e));
      }
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /** A failed connection in words: the JDK client reports a refused TLS connection as a closed channel. */
  static String transportProblem(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof java.net.ConnectException || root instanceof java.nio.channels.ClosedChannelException) {
      return "connection refused (" + oneLine(root) + ")";
    }
    if (root instanceof java.net.UnknownHostException) {
      return "unknown host (" + oneLine(root) + ")";
    }
    return oneLine(e);
  }

  /** The innermost cause's class and message on one line, at most 300 characters. */
  static String oneLine(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String name = t.getClass().getSimpleName();
    String message = t.getMessage() == null ? "" : t.getMessage().replaceAll("\\s+", " ").trim();
    String line = message.isEmpty() ? name : name + ": " + message;
    return line.length() > 300 ? line.substring(0, 297) + "..." : line;
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }
}
