package io.fedtt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fabric8.kubernetes.api.model.Condition;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.operator.FedttOperator;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.reconcile.Backoff;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.TestKubelet;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator as the chart deploys it, on a real API server: server-side apply on (the chart's
 * default), authenticated as the chart's operator ServiceAccount (a TokenRequest token) and
 * authorized only by the RBAC objects {@code helm template} renders, in the cluster-wide mode
 * (ClusterRole) and the namespaced mode (one Role per watched namespace). A job runs to Succeeded
 * with its status (conditions, observedGeneration) written by server-side apply and its events
 * recorded, and the audit log shows the API server refused the operator nothing. A rendered role
 * with one verb taken away shows that a missing grant fails this check.
 */
class OperatorRbacTest {

  static final String OPERATOR_NS = "fedtt-system";
  static ControlPlane cp;
  @TempDir
  static Path tmp;

  @BeforeAll
  static void install() {
    cp = ControlPlane.get();
    Crd.install(cp);
    Crd.namespace(cp, OPERATOR_NS);
  }

  /** What one operator run showed. */
  record Run(String user, FederatedFineTune job, List<ControlPlane.AuditEvent> refused,
             List<ControlPlane.AuditEvent> requests, List<Event> events) {}

  @Test
  void clusterWideWithTheChartsClusterRole() throws Exception {
    Run run = run("cw", List.of(), "team-cw", UnaryOperator.identity(), true);
    assertEquals(List.of(), run.refused(), "requests the API server refused the operator (chart RBAC too narrow)");
    assertSucceededWithStatusAndEvents(run);
  }

  @Test
  void namespacedWithTheChartsRoles() throws Exception {
    Run run = run("nsd", List.of("team-nsd"), "team-nsd", UnaryOperator.identity(), true);
    assertEquals(List.of(), run.refused(), "requests the API server refused the operator (chart RBAC too narrow)");
    assertSucceededWithStatusAndEvents(run);
    // Only namespaced rights: no ClusterRole is rendered in this mode.
    assertTrue(run.requests().stream().allMatch(e -> e.namespace().equals("team-nsd")
        || e.resource().isEmpty() || e.resource().equals("selfsubjectaccessreviews")
        || e.resource().equals("selfsubjectrulesreviews")),
        "the namespaced operator asked outside its namespace: " + run.requests().stream()
            .filter(e -> !e.namespace().equals("team-nsd")).map(e -> e.verb() + " " + e.uri()).toList());
  }

  @Test
  void aMissingVerbInTheChartsRbacIsCaught() throws Exception {
    // The status rule without "patch": server-side apply of the status is refused.
    UnaryOperator<List<HasMetadata>> dropPatchOnStatus = objects -> {
      for (HasMetadata o : objects) {
        if (o instanceof ClusterRole role) {
          for (PolicyRule rule : role.getRules()) {
            if (rule.getResources().equals(List.of("federatedfinetunes/status"))) {
              List<String> verbs = new ArrayList<>(rule.getVerbs());
              assertTrue(verbs.remove("patch"), "the chart grants patch on the status: " + rule);
              rule.setVerbs(verbs);
            }
          }
        }
      }
      return objects;
    };
    Run run = run("broken", List.of(), "team-broken", dropPatchOnStatus, false);
    Set<String> refused = new TreeSet<>();
    run.refused().forEach(e -> refused.add(e.grant()));
    assertTrue(refused.contains("fedtt.io/federatedfinetunes/status:patch"),
        "the audit shows the refused status patch: " + refused);
    assertTrue(run.job() == null || run.job().getStatus() == null || run.job().getStatus().getPhase() != Phase.Succeeded,
        "without patch on the status the job cannot show Succeeded");
  }

  static void assertSucceededWithStatusAndEvents(Run run) {
    FederatedFineTune job = run.job();
    assertNotNull(job.getStatus(), "status written");
    assertEquals(Phase.Succeeded, job.getStatus().getPhase(), job.getStatus().toString());
    assertEquals(job.getMetadata().getGeneration(), job.getStatus().getObservedGeneration());
    List<Condition> conditions = job.getStatus().getConditions();
    assertTrue(conditions.stream().anyMatch(c -> "Succeeded".equals(c.getType()) && "True".equals(c.getStatus())),
        "conditions: " + conditions);
    assertTrue(conditions.stream().allMatch(c -> c.getLastTransitionTime() != null && c.getReason() != null),
        "conditions: " + conditions);
    // Server-side apply wrote the status: a patch on the status subresource with the operator's field manager.
    assertTrue(run.requests().stream().anyMatch(e -> e.grant().equals("fedtt.io/federatedfinetunes/status:patch")
        && e.code() == 200), "status patches: " + run.requests().stream().filter(e -> e.subresource().equals("status"))
        .map(e -> e.verb() + " " + e.code()).toList());
    assertTrue(job.getMetadata().getManagedFields().stream().anyMatch(f -> "status".equals(f.getSubresource())
        && "Apply".equals(f.getOperation())), "managedFields: " + job.getMetadata().getManagedFields());
    assertFalse(run.events().isEmpty(), "events recorded for the job");
  }

  /**
   * Applies the chart's ServiceAccount and RBAC for release {@code release} (changed by {@code edit}),
   * runs the operator as that ServiceAccount with server-side apply on, creates one small job in
   * {@code jobNs} and waits for it to finish (or, when {@code expectSuccess} is false, for a refusal).
   */
  static Run run(String release, List<String> watch, String jobNs, UnaryOperator<List<HasMetadata>> edit,
      boolean expectSuccess) throws Exception {
    Crd.podNamespace(cp, jobNs);
    KubernetesClient admin = cp.admin();
    List<String> args = new ArrayList<>();
    if (!watch.isEmpty()) {
      args.add("--set");
      args.add("watchNamespaces={" + String.join(",", watch) + "}");
    }
    String yaml = Cmd.helmTemplate(release, OPERATOR_NS, args.toArray(String[]::new));
    List<HasMetadata> all = admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
    List<HasMetadata> rbac = new ArrayList<>(all.stream().filter(o -> o instanceof ServiceAccount
        || o instanceof ClusterRole || o instanceof ClusterRoleBinding || o instanceof Role || o instanceof RoleBinding)
        .toList());
    rbac = edit.apply(rbac);
    assertEquals(watch.isEmpty(), rbac.stream().anyMatch(ClusterRole.class::isInstance), "ClusterRole rendered");
    String operatorAccount = null;
    for (HasMetadata o : rbac) {
      if (o.getMetadata().getNamespace() == null && !(o instanceof ClusterRole || o instanceof ClusterRoleBinding)) {
        o.getMetadata().setNamespace(OPERATOR_NS);
      }
      admin.resource(o).serverSideApply();
      if (o instanceof ServiceAccount sa && sa.getMetadata().getName().endsWith("-operator")) {
        operatorAccount = sa.getMetadata().getName();
      }
    }
    assertNotNull(operatorAccount, "the chart renders the operator's ServiceAccount");
    String user = "system:serviceaccount:" + OPERATOR_NS + ":" + operatorAccount;
    String token = cp.serviceAccountToken(OPERATOR_NS, operatorAccount);
    Path store = Files.createDirectories(tmp.resolve(release));
    OperatorSettings settings = new OperatorSettings(Set.copyOf(watch), new InetSocketAddress("127.0.0.1", 0), null,
        store, new InetSocketAddress("127.0.0.1", 0), false, null, null, true, null,
        new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2)), 2, null, null, Duration.ofSeconds(10));
    String name = "rbac-" + release;
    FederatedFineTune job = null;
    try (KubernetesClient asOperator = cp.withToken(token, "fedtt-operator-" + release);
         TestKubelet kubelet = new TestKubelet(admin, new FakeWorker());
         FedttOperator operator = FedttOperator.start(settings, asOperator)) {
      FederatedFineTune j = Jobs.job(jobNs, name, 2, "a", "b");
      j.getMetadata().setUid(null);
      j.getMetadata().setGeneration(null);
      admin.resource(j).create();
      long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < end) {
        job = admin.resources(FederatedFineTune.class).inNamespace(jobNs).withName(name).get();
        boolean done = job != null && job.getStatus() != null && job.getStatus().getPhase() != null
            && job.getStatus().getPhase().isFinished();
        if (expectSuccess ? done : !refused(user).isEmpty()) {
          break;
        }
        Thread.sleep(200);
      }
      List<Event> events = admin.v1().events().inNamespace(jobNs).list().getItems().stream()
          .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
      // Delete while the operator runs (it holds a finalizer) and wait until it is gone.
      admin.resources(FederatedFineTune.class).inNamespace(jobNs).withName(name).delete();
      long gone = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (admin.resources(FederatedFineTune.class).inNamespace(jobNs).withName(name).get() != null) {
        assertTrue(System.nanoTime() < gone, jobNs + "/" + name + " not deleted in 60 s");
        Thread.sleep(100);
      }
      List<ControlPlane.AuditEvent> requests = cp.audit(e -> e.user().equals(user));
      return new Run(user, job, refused(user), requests, events);
    }
  }

  static List<ControlPlane.AuditEvent> refused(String user) {
    return cp.audit(e -> e.user().equals(user) && (e.code() == 403 || e.code() == 401));
  }
}
