package io.fedtt.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class OperatorMainTest {

  private static OperatorSettings parse(String... args) {
    OperatorMain m = new OperatorMain();
    new CommandLine(m).parseArgs(args);
    return m.settings();
  }

  @Test
  void productionDefaults() {
    OperatorSettings s = parse();
    assertTrue(s.namespaces().isEmpty(), "all namespaces");
    assertEquals(8443, s.federationBind().getPort());
    assertEquals(8080, s.metricsBind().getPort());
    assertTrue(s.serverSideApply());
    assertFalse(s.leaderElection());
    assertEquals(Path.of("/var/lib/fedtt"), s.storePath());
    assertEquals(OperatorSettings.DEFAULT_IMAGE, s.defaultImage());
    assertNull(s.endpointUrl());
    assertEquals(Duration.ofSeconds(10), s.backoff().base());
    assertEquals(OperatorSettings.DEFAULT_API_TIMEOUT, s.apiTimeout());
  }

  @Test
  void apiTimeoutFlag() {
    assertEquals(Duration.ofSeconds(2), parse("--api-timeout", "PT2S").apiTimeout());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> parse("--api-timeout", "PT0S"));
    assertTrue(e.getMessage().contains("--api-timeout"), e.getMessage());
  }

  @Test
  void flags() {
    OperatorSettings s = parse("--namespaces", "team-a, team-b", "--federation-bind", "127.0.0.1:9443",
        "--endpoint-url", "http://fedtt.fedtt.svc:9443", "--store", "/tmp/s", "--metrics-bind", "off",
        "--leader-election", "--lease-name", "lock", "--lease-namespace", "fedtt", "--no-server-side-apply",
        "--worker-image", "reg/worker:2", "--reconcile-threads", "3", "--pod-backoff", "PT1S");
    assertEquals(Set.of("team-a", "team-b"), s.namespaces());
    assertEquals("127.0.0.1", s.federationBind().getHostString());
    assertEquals(9443, s.federationBind().getPort());
    assertEquals("http://fedtt.fedtt.svc:9443", s.endpointUrl());
    assertNull(s.metricsBind());
    assertTrue(s.leaderElection());
    assertEquals("lock", s.leaseName());
    assertEquals("fedtt", s.leaseNamespace());
    assertFalse(s.serverSideApply());
    assertEquals("reg/worker:2", s.defaultImage());
    assertEquals(3, s.reconcileThreads());
    assertEquals(Duration.ofSeconds(1), s.backoff().base());
  }

  @Test
  void badAddressNamesTheFlag() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> parse("--federation-bind", "nonsense"));
    assertTrue(e.getMessage().contains("--federation-bind must be host:port"), e.getMessage());
  }

  @Test
  void helpListsTheEnvironment() {
    String usage = new CommandLine(new OperatorMain()).getUsageMessage();
    for (String env : new String[] {"FEDTT_WATCH_NAMESPACES", "FEDTT_FEDERATION_BIND", "FEDTT_ENDPOINT_URL",
        "FEDTT_STORE", "FEDTT_METRICS_BIND", "FEDTT_LEADER_ELECTION", "FEDTT_SERVER_SIDE_APPLY", "FEDTT_WORKER_IMAGE",
        "FEDTT_API_TIMEOUT", "KUBECONFIG"}) {
      assertTrue(usage.contains(env), env);
    }
  }
}
