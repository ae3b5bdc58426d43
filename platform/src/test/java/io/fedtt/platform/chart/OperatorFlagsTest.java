package io.fedtt.platform.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fedtt.operator.OperatorMain;
import io.fedtt.operator.OperatorSettings;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The Deployment's arguments, as rendered, go through the operator's own command line
 * (OperatorMain, picocli) and come out as the settings the values asked for: a renamed or removed
 * flag fails here, not in a CrashLoopBackOff.
 */
class OperatorFlagsTest {

  /** Parses the rendered args exactly as the container's entry point would. */
  static OperatorSettings settings(Rendered r) throws Exception {
    List<String> args = ChartRenderTest.args(r.one(Deployment.class));
    OperatorMain main = new OperatorMain();
    new CommandLine(main).parseArgs(args.toArray(String[]::new));
    Method m = OperatorMain.class.getDeclaredMethod("settings");
    m.setAccessible(true);
    return (OperatorSettings) m.invoke(main);
  }

  @Test
  void defaults() throws Exception {
    OperatorSettings s = settings(Rendered.of(null));
    assertEquals(Set.of(), s.namespaces());
    assertEquals(8443, s.federationBind().getPort());
    assertTrue(s.federationBind().getAddress().isAnyLocalAddress(), "listens on all interfaces in the pod");
    assertEquals("http://fedtt-fedtt-operator.fedtt-system.svc:8443", s.endpointUrl());
    assertEquals(8080, s.metricsBind().getPort());
    assertEquals(Path.of("/var/lib/fedtt"), s.storePath());
    assertFalse(s.leaderElection());
    assertTrue(s.serverSideApply());
    assertEquals("ghcr.io/fedtt/fedtt-worker:0.1.0", s.defaultImage());
    assertEquals(8, s.reconcileThreads());
    assertEquals(Duration.ofSeconds(10), s.backoff().base());
  }

  @Test
  void namespacedAndLeaderElection() throws Exception {
    assertEquals(Set.of("ml-team-a", "ml-team-b"), settings(Rendered.of("namespaced-rbac-values.yaml")).namespaces());
    OperatorSettings le = settings(Rendered.of("leader-election-values.yaml"));
    assertTrue(le.leaderElection());
    assertEquals("fedtt-fedtt-operator-lock", le.leaseName());
    assertEquals(Rendered.NAMESPACE, le.leaseNamespace());
  }

  @Test
  void everythingOverridden() throws Exception {
    OperatorSettings s = settings(Rendered.of("everything-values.yaml"));
    assertEquals(Set.of("hospital-a", "hospital-b"), s.namespaces());
    assertEquals(9443, s.federationBind().getPort());
    assertEquals("https://fedtt.example.com:9443", s.endpointUrl());
    assertEquals(9464, s.metricsBind().getPort());
    assertFalse(s.serverSideApply());
    assertEquals("fedtt-leader", s.leaseName());
    assertEquals("registry.example.com/fedtt/fedtt-worker:0.1.0-rc1-cuda", s.defaultImage());
    assertEquals(16, s.reconcileThreads());
    assertEquals(Duration.ofSeconds(90), s.backoff().base());
  }

  @Test
  void persistenceOffStillGivesAStorePath() throws Exception {
    OperatorSettings s = settings(Rendered.of("persistence-off-values.yaml"));
    assertEquals(Path.of("/var/lib/fedtt"), s.storePath());
  }
}
