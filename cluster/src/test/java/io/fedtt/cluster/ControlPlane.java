package io.fedtt.cluster;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * One real control plane (etcd, kube-apiserver, kube-controller-manager) for all the tests of this
 * JVM, started through {@code hack/control-plane.sh up} on first use and stopped with {@code down}
 * when the JVM exits. Without built binaries (see {@code .ci/install-tools}) the tests are skipped
 * on a developer's machine and fail in CI (CI=true), like the chart tests without helm.
 */
public final class ControlPlane {

  private static ControlPlane shared;

  public final Path dir;
  public final String server;
  public final Path ca;
  public final Path kubeconfig;
  /** The non-admin user {@code fedtt-user} of the token file (no groups beyond system:authenticated). */
  public final String userToken;
  /** The token of {@code admin-token} (group system:masters), for clients that need a bearer token. */
  public final String adminToken;
  private final KubernetesClient admin;

  private ControlPlane(Path dir) throws IOException {
    this.dir = dir;
    Map<String, String> env = new LinkedHashMap<>();
    for (String line : Files.readAllLines(dir.resolve("env"))) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    this.server = env.get("FEDTT_CP_SERVER");
    this.ca = Path.of(env.get("FEDTT_CP_CA"));
    this.kubeconfig = dir.resolve("kubeconfig");
    this.userToken = env.get("FEDTT_CP_USER_TOKEN");
    this.adminToken = env.get("FEDTT_CP_ADMIN_TOKEN");
    this.admin = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString())).build();
  }

  /** The control plane, started on first call (about 10-20 s); skips or fails the test when it cannot run. */
  public static synchronized ControlPlane get() {
    if (shared != null) {
      return shared;
    }
    Cmd.Result path = Cmd.run(Duration.ofSeconds(30), null, "bash", script().toString(), "path");
    if (!path.ok()) {
      unavailable("the control-plane binaries are not built: run .ci/install-tools (or hack/control-plane.sh build)");
    }
    Path dir = Path.of(System.getProperty("fedtt.control-plane.dir", "target/control-plane"))
        .toAbsolutePath().normalize().resolve("run-" + ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    Cmd.Result up = Cmd.run(Duration.ofMinutes(5), null, "bash", script().toString(), "up", dir.toString());
    Runtime.getRuntime().addShutdownHook(new Thread(() ->
        Cmd.run(Duration.ofSeconds(60), null, "bash", script().toString(), "down", dir.toString())));
    if (!up.ok()) {
      fail("hack/control-plane.sh up " + dir + " exited " + up.exitCode() + ":\n" + up.stderr() + up.stdout());
    }
    System.err.printf("control plane up in %d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, dir);
    try {
      shared = new ControlPlane(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return shared;
  }

  static Path script() {
    return Repo.ROOT.resolve("hack/control-plane.sh");
  }

  static void unavailable(String msg) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail(msg);
    }
    Assumptions.abort(msg);
  }

  /** The admin client (client certificate in system:masters). Shared: do not close. */
  public KubernetesClient admin() {
    return admin;
  }

  /** A new client authenticating with {@code token}, marked by {@code userAgent}; the caller closes it. */
  public KubernetesClient withToken(String token, String userAgent) {
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server).withCaCertFile(ca.toString())
        .withOauthToken(token).withUserAgent(userAgent).withRequestRetryBackoffLimit(3).build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** A token for a ServiceAccount (TokenRequest API, one hour), as a projected token would hold. */
  public String serviceAccountToken(String namespace, String name) {
    TokenRequest req = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build();
    return admin.serviceAccounts().inNamespace(namespace).withName(name).tokenRequest(req).getStatus().getToken();
  }

  /** kubectl (the built one, through DIR/bin/kubectl, as admin unless --kubeconfig/--token say otherwise). */
  public Cmd.Result kubectl(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(dir.resolve("bin/kubectl").toString());
    cmd.addAll(List.of(args));
    return Cmd.run(Duration.ofSeconds(120), null, cmd.toArray(String[]::new));
  }

  /** kubectl with {@code stdin}, which must exit 0; returns its stdout. */
  public String kubectlIn(String stdin, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(dir.resolve("bin/kubectl").toString());
    cmd.addAll(List.of(args));
    Cmd.Result r = Cmd.run(Duration.ofSeconds(120), stdin, cmd.toArray(String[]::new));
    if (!r.ok()) {
      fail("kubectl " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.stderr() + r.stdout());
    }
    return r.stdout();
  }

  /** kubectl that must exit 0; returns its stdout. */
  public String kubectlOk(String... args) {
    Cmd.Result r = kubectl(args);
    if (!r.ok()) {
      fail("kubectl " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.stderr() + r.stdout());
    }
    return r.stdout();
  }

  /**
   * POSTs {@code file} as {@code application/yaml} to {@code path} as admin (curl: kubectl always
   * sends JSON); stdout is the API server's JSON answer.
   */
  public Cmd.Result postYaml(String path, Path file) {
    return Cmd.run(Duration.ofSeconds(60), "header = \"Authorization: Bearer " + adminToken + "\"\n", "curl", "-sS",
        "--config", "-", "--cacert", ca.toString(), "-H", "Content-Type: application/yaml", "-X", "POST",
        "--data-binary", "@" + file, server + path);
  }

  /** One audited request: who, what, and the answer's code. */
  public record AuditEvent(String user, String verb, String group, String resource, String subresource,
                           String namespace, String name, int code, String uri, String userAgent) {
    /** "group/resource[/sub]:verb" as the chart tests write grants ("core" for the core group). */
    public String grant() {
      String g = group == null || group.isEmpty() ? "core" : group;
      return g + "/" + resource + (subresource == null || subresource.isEmpty() ? "" : "/" + subresource) + ":" + verb;
    }
  }

  /** Every audited request so far that matches {@code filter} (the API server writes the log as it answers). */
  public List<AuditEvent> audit(Predicate<AuditEvent> filter) {
    ObjectMapper json = new ObjectMapper();
    List<AuditEvent> out = new ArrayList<>();
    try (Stream<String> lines = Files.lines(dir.resolve("logs/audit.log"))) {
      lines.forEach(line -> {
        try {
          JsonNode e = json.readTree(line);
          if (!"ResponseComplete".equals(e.path("stage").asText()) && !"Panic".equals(e.path("stage").asText())) {
            return;
          }
          JsonNode ref = e.path("objectRef");
          AuditEvent ev = new AuditEvent(e.path("user").path("username").asText(), e.path("verb").asText(),
              ref.path("apiGroup").asText(""), ref.path("resource").asText(""), ref.path("subresource").asText(""),
              ref.path("namespace").asText(""), ref.path("name").asText(""),
              e.path("responseStatus").path("code").asInt(0), e.path("requestURI").asText(),
              e.path("userAgent").asText(""));
          if (filter.test(ev)) {
            out.add(ev);
          }
        } catch (IOException bad) {
          // a line being written while read: skip it
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
