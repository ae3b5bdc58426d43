package io.fedtt.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The operator process started without a usable cluster or with bad flags, in-process: it ends at
 * once with one line that names what to fix (the kubeconfig file, the API server URL, the flag) and
 * a documented exit code (2 configuration, 1 API server unreachable), never a stack trace. The
 * timeouts here only detect a hang; the bound itself is {@code --api-timeout}.
 */
class OperatorWithoutClusterTest {

  @TempDir
  Path dir;

  record Run(int exit, String out, String err) {
    List<String> errLines() {
      List<String> lines = new ArrayList<>();
      for (String l : err.split("\\R")) {
        if (!l.isBlank()) {
          lines.add(l);
        }
      }
      return lines;
    }

    void assertOneLine(String... mustContain) {
      List<String> lines = errLines();
      assertEquals(1, lines.size(), "one line on stderr, got:\n" + err);
      for (String s : mustContain) {
        assertTrue(lines.get(0).contains(s), "'" + s + "' in: " + lines.get(0));
      }
      assertFalse(err.contains("\tat ") || err.contains("Exception in thread"), "no stack trace:\n" + err);
      assertTrue(out.isBlank(), "nothing on stdout: " + out);
    }
  }

  private static Run run(String... args) {
    return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cmd = new CommandLine(new OperatorMain());
      cmd.setOverwrittenOptionsAllowed(true); // a test's own flag after the defaults below wins
      cmd.setOut(new PrintWriter(out, true));
      cmd.setErr(new PrintWriter(err, true));
      int exit = cmd.execute(args);
      return new Run(exit, out.toString(), err.toString());
    }, "the operator did not give up; it must end within --api-timeout");
  }

  /** Flags that keep a started operator off the machine's ports and /var/lib. */
  private String[] args(String... more) {
    List<String> a = new ArrayList<>(List.of("--store", dir.resolve("store").toString(),
        "--federation-bind", "127.0.0.1:0", "--metrics-bind", "off", "--api-timeout", "PT3S"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String kubeconfig(String server) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: %s
        contexts:
        - name: x
          context:
            cluster: c
            user: u
        current-context: x
        users:
        - name: u
          user:
            token: not-a-real-token
        """.formatted(server);
  }

  @Test
  void refusedConnectionNamesTheApiServerAndTheKubeconfigAndExits1() throws Exception {
    String url = "https://127.0.0.1:" + closedPort();
    Path kc = Files.writeString(dir.resolve("kubeconfig"), kubeconfig(url));
    Run r = run(args("--kubeconfig", kc.toString()));
    assertEquals(ClusterAccess.EXIT_UNREACHABLE, r.exit(), r.err());
    r.assertOneLine(url, kc.toString(), "connection refused", "--api-timeout");
  }

  @Test
  void missingKubeconfigNamesTheFileAndExits2() {
    Path kc = dir.resolve("no-such-dir").resolve("config");
    Run r = run(args("--kubeconfig", kc.toString()));
    assertEquals(ClusterAccess.EXIT_CONFIG, r.exit(), r.err());
    r.assertOneLine(kc.toString(), "does not exist");
  }

  @Test
  void unparsableKubeconfigNamesTheFileAndExits2() throws Exception {
    Path kc = Files.writeString(dir.resolve("garbage.yaml"), "garbage: [unclosed\n  x: {\n");
    Run r = run(args("--kubeconfig", kc.toString()));
    assertEquals(ClusterAccess.EXIT_CONFIG, r.exit(), r.err());
    r.assertOneLine(kc.toString(), "kubeconfig");
  }

  @Test
  void kubeconfigWithoutAServerNamesTheFileAndExits2() throws Exception {
    Path kc = Files.writeString(dir.resolve("empty.yaml"), "apiVersion: v1\nkind: Config\n");
    Run r = run(args("--kubeconfig", kc.toString()));
    assertEquals(ClusterAccess.EXIT_CONFIG, r.exit(), r.err());
    r.assertOneLine(kc.toString());
  }

  @Test
  void badFederationBindIsOneMessageWithoutATrace() {
    Run r = run(args("--federation-bind", "nope"));
    assertEquals(ClusterAccess.EXIT_CONFIG, r.exit(), r.err());
    r.assertOneLine("--federation-bind must be host:port", "nope");
  }

  @Test
  void badMetricsPortIsOneMessageWithoutATrace() {
    Run r = run(args("--metrics-bind", "127.0.0.1:http"));
    assertEquals(ClusterAccess.EXIT_CONFIG, r.exit(), r.err());
    r.assertOneLine("--metrics-bind must be host:port");
  }

  @Test
  void uncreatableStoreIsCheckedAtStartAndNamesTheFlag() {
    Run r = run(args("--store", "/proc/nope"));
    assertEquals(ClusterAccess.EXIT_CONFIG, r.exit(), r.err());
    r.assertOneLine("--store", "/proc/nope");
  }

  @Test
  void aStoreThatIsAFileIsCheckedAtStart() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Run r = run(args("--store", file.toString()));
    assertEquals(ClusterAccess.EXIT_CONFIG, r.exit(), r.err());
    r.assertOneLine("--store", file.toString());
  }

  @Test
  void noConfigurationAnywhereOutsideAPodSaysWhereItLooked() {
    ClusterAccess.Failure f = org.junit.jupiter.api.Assertions.assertThrows(ClusterAccess.Failure.class,
        () -> ClusterAccess.resolve(null, Map.of(), dir));
    assertEquals(ClusterAccess.EXIT_CONFIG, f.exitCode());
    assertTrue(f.getMessage().contains("KUBECONFIG") && f.getMessage().contains(dir.resolve(".kube/config").toString()),
        f.getMessage());
  }

  @Test
  void theHomeKubeconfigIsUsedWhenNothingElseIsSet() throws Exception {
    Files.createDirectories(dir.resolve(".kube"));
    Files.writeString(dir.resolve(".kube/config"), kubeconfig("https://10.1.2.3:6443"));
    ClusterAccess.Target t = ClusterAccess.resolve(null, Map.of(), dir);
    assertEquals("https://10.1.2.3:6443/", t.apiUrl());
    assertTrue(t.source().contains(dir.resolve(".kube/config").toString()), t.source());
  }

  @Test
  void inAPodTheServiceAccountIsUsed() {
    ClusterAccess.Target t = ClusterAccess.resolve(null,
        Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443"), dir);
    assertTrue(t.source().contains("service account"), t.source());
  }
}
