package io.fedtt.platform.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.fedtt.operator.build.Labels;
import io.fedtt.platform.Repo;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The chart through helm lint --strict and helm template --include-crds with the default values
 * and the combinations in the chart's ci/ folder; every object is parsed with Fabric8's model
 * classes (unknown fields fail) and checked for what the combination promises.
 */
class ChartRenderTest {

  static final List<String> COMBINATIONS = List.of("namespaced-rbac-values.yaml", "monitoring-values.yaml",
      "persistence-off-values.yaml", "leader-election-values.yaml", "everything-values.yaml");

  @TestFactory
  Stream<DynamicTest> everyCombinationLintsRendersAndParsesStrictly() {
    return Stream.concat(Stream.of((String) null), COMBINATIONS.stream()).map(v -> DynamicTest.dynamicTest(
        v == null ? "default values" : "ci/" + v, () -> {
          Rendered r = Rendered.of(v);
          assertFalse(r.objects.isEmpty(), "nothing rendered");
          secureOperatorPod(r);
          serviceMatchesContainer(r);
          workerAccountsHaveNoRights(r);
          noWildcardRules(r);
          CustomResourceDefinition crd = r.one(CustomResourceDefinition.class);
          assertEquals("federatedfinetunes.fedtt.io", crd.getMetadata().getName());
        }));
  }

  @Test
  void combinationFilesAreAllTested() throws Exception {
    try (Stream<java.nio.file.Path> files = Files.list(Repo.CHART.resolve("ci"))) {
      assertEquals(Set.copyOf(COMBINATIONS), files.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
    }
  }

  @Test
  void defaultsClusterWideWithPersistentStore() {
    Rendered r = Rendered.of(null);
    assertEquals(Set.of("CustomResourceDefinition", "ServiceAccount", "PersistentVolumeClaim", "ClusterRole",
        "ClusterRoleBinding", "Service", "Deployment"), kinds(r));
    assertTrue(r.all(Role.class).isEmpty() && r.all(RoleBinding.class).isEmpty(), "no Roles by default");
    Deployment d = r.one(Deployment.class);
    assertEquals(1, d.getSpec().getReplicas());
    assertEquals("Recreate", d.getSpec().getStrategy().getType(), "without a Lease old and new must not overlap");
    PersistentVolumeClaim pvc = r.one(PersistentVolumeClaim.class);
    assertEquals("10Gi", pvc.getSpec().getResources().getRequests().get("storage").toString());
    assertNull(pvc.getSpec().getStorageClassName(), "cluster default StorageClass");
    Volume store = volume(d, "store");
    assertEquals(pvc.getMetadata().getName(), store.getPersistentVolumeClaim().getClaimName());

    ClusterRoleBinding crb = r.one(ClusterRoleBinding.class);
    assertEquals(r.one(ClusterRole.class).getMetadata().getName(), crb.getRoleRef().getName());
    assertEquals(List.of(operatorSubject(r)), crb.getSubjects().stream().map(ChartRenderTest::subject).toList());
    assertFalse(args(d).stream().anyMatch(a -> a.startsWith("--namespaces")), "all namespaces by default");
    assertTrue(args(d).contains("--endpoint-url=http://fedtt-fedtt-operator.fedtt-system.svc:8443"), args(d).toString());
    assertTrue(args(d).contains("--worker-image=ghcr.io/fedtt/fedtt-worker:0.1.0"), args(d).toString());
    assertTrue(args(d).contains("--model-probe-timeout=PT5M"), args(d).toString());
    assertFalse(args(d).stream().anyMatch(a -> a.startsWith("--model-probe-image")), "probes use the worker image");
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertFalse(c.getEnv().stream().anyMatch(e -> e.getName().startsWith("HF_")), "the public hub, no token");
  }

  @Test
  void namespacedRbacHasARolePerNamespaceAndNoClusterRights() {
    Rendered r = Rendered.of("namespaced-rbac-values.yaml");
    assertTrue(r.all(ClusterRole.class).isEmpty() && r.all(ClusterRoleBinding.class).isEmpty());
    List<PolicyRule> clusterRules = Rendered.of(null).one(ClusterRole.class).getRules();
    for (String ns : List.of("ml-team-a", "ml-team-b")) {
      Role role = r.find(Role.class, ns, "fedtt-fedtt-operator").orElseThrow(() -> new AssertionError("no Role in " + ns));
      assertEquals(Rendered.grants(clusterRules), Rendered.grants(role.getRules()), "same rules as the ClusterRole");
      RoleBinding rb = r.find(RoleBinding.class, ns, "fedtt-fedtt-operator").orElseThrow();
      assertEquals("Role", rb.getRoleRef().getKind());
      assertEquals(List.of(operatorSubject(r)), rb.getSubjects().stream().map(ChartRenderTest::subject).toList());
      assertTrue(r.find(ServiceAccount.class, ns, "fedtt-fedtt-operator-worker").isPresent(), "worker SA in " + ns);
    }
    assertEquals(2, r.all(Role.class).size());
    assertTrue(args(r.one(Deployment.class)).contains("--namespaces=ml-team-a,ml-team-b"), args(r.one(Deployment.class)).toString());
  }

  @Test
  void monitoringOnAddsServiceMonitorDashboardAndNetworkPolicy() throws Exception {
    Rendered r = Rendered.of("monitoring-values.yaml");
    Service svc = r.one(Service.class);
    ServiceMonitor sm = r.one(ServiceMonitor.class);
    assertTrue(svc.getMetadata().getLabels().entrySet().containsAll(sm.getSpec().getSelector().getMatchLabels().entrySet()),
        "the ServiceMonitor selects the Service");
    assertEquals("prometheus", sm.getMetadata().getLabels().get("release"));
    String port = sm.getSpec().getEndpoints().get(0).getPort();
    assertTrue(svc.getSpec().getPorts().stream().anyMatch(p -> p.getName().equals(port)), "endpoint port " + port);
    assertEquals("/metrics", sm.getSpec().getEndpoints().get(0).getPath());

    ConfigMap cm = r.one(ConfigMap.class);
    assertEquals("monitoring", cm.getMetadata().getNamespace());
    assertEquals("1", cm.getMetadata().getLabels().get("grafana_dashboard"));
    String json = cm.getData().get("fedtt-jobs.json");
    ObjectMapper m = new ObjectMapper();
    assertEquals(m.readTree(Repo.CHART.resolve("files/dashboards/fedtt-jobs.json").toFile()), m.readTree(json));

    NetworkPolicy np = r.one(NetworkPolicy.class);
    Deployment d = r.one(Deployment.class);
    assertEquals(d.getSpec().getSelector().getMatchLabels(), np.getSpec().getPodSelector().getMatchLabels());
    NetworkPolicyIngressRule federation = np.getSpec().getIngress().stream()
        .filter(i -> i.getPorts().get(0).getPort().getStrVal().equals("federation")).findFirst().orElseThrow();
    // The labels the operator puts on every worker pod (io.fedtt.operator.build.Labels).
    Map<String, String> workerLabels = Map.of(Labels.COMPONENT, Labels.WORKER, Labels.MANAGED_BY, Labels.OPERATOR);
    assertFalse(federation.getFrom().isEmpty(), "the federation port is not open to all");
    federation.getFrom().forEach(peer -> assertEquals(workerLabels, peer.getPodSelector().getMatchLabels()));
    NetworkPolicyIngressRule metrics = np.getSpec().getIngress().stream()
        .filter(i -> i.getPorts().get(0).getPort().getStrVal().equals("metrics")).findFirst().orElseThrow();
    assertEquals("monitoring", metrics.getFrom().get(0).getNamespaceSelector().getMatchLabels()
        .get("kubernetes.io/metadata.name"));
  }

  @Test
  void persistenceOffUsesAnEmptyDir() {
    Rendered r = Rendered.of("persistence-off-values.yaml");
    assertTrue(r.all(PersistentVolumeClaim.class).isEmpty());
    assertNotNull(volume(r.one(Deployment.class), "store").getEmptyDir());
  }

  @Test
  void leaderElectionWithTwoReplicas() {
    Rendered r = Rendered.of("leader-election-values.yaml");
    Deployment d = r.one(Deployment.class);
    assertEquals(2, d.getSpec().getReplicas());
    // Standbys are not ready (only the Lease holder is), so a rolling update could never finish.
    assertEquals("Recreate", d.getSpec().getStrategy().getType());
    List<String> args = args(d);
    assertTrue(args.contains("--leader-election"), args.toString());
    assertTrue(args.contains("--lease-name=fedtt-fedtt-operator-lock"), args.toString());
    assertTrue(args.contains("--lease-namespace=" + Rendered.NAMESPACE), args.toString());
    Role lease = r.find(Role.class, Rendered.NAMESPACE, "fedtt-fedtt-operator-leader-election").orElseThrow();
    assertEquals(List.of("coordination.k8s.io/leases:create", "coordination.k8s.io/leases:get",
        "coordination.k8s.io/leases:update"), Rendered.grants(lease.getRules()));
    RoleBinding rb = r.find(RoleBinding.class, Rendered.NAMESPACE, "fedtt-fedtt-operator-leader-election").orElseThrow();
    assertEquals(lease.getMetadata().getName(), rb.getRoleRef().getName());
    assertEquals(List.of("ReadWriteMany"), r.one(PersistentVolumeClaim.class).getSpec().getAccessModes());
    assertEquals("nfs-client", r.one(PersistentVolumeClaim.class).getSpec().getStorageClassName());
  }

  @Test
  void everythingOverriddenIsWiredThrough() {
    Rendered r = Rendered.of("everything-values.yaml");
    Deployment d = r.one(Deployment.class);
    Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("registry.example.com/fedtt/fedtt-operator:0.1.0-rc1", c.getImage());
    assertEquals("Always", c.getImagePullPolicy());
    assertTrue(args(d).contains("--worker-image=registry.example.com/fedtt/fedtt-worker:0.1.0-rc1-cuda"));
    assertTrue(args(d).contains("--endpoint-url=https://fedtt.example.com:9443"));
    assertTrue(args(d).contains("--lease-name=fedtt-leader"));
    assertTrue(args(d).contains("--model-probe-image=registry.example.com/tools/coreutils:9"), args(d).toString());
    assertTrue(args(d).contains("--model-probe-timeout=PT2M"), args(d).toString());
    assertEquals("https://hf-mirror.example.com", c.getEnv().stream().filter(e -> e.getName().equals("HF_ENDPOINT"))
        .findFirst().orElseThrow().getValue());
    var token = c.getEnv().stream().filter(e -> e.getName().equals("HF_TOKEN")).findFirst().orElseThrow()
        .getValueFrom().getSecretKeyRef();
    assertEquals(List.of("hf-token", "HF_TOKEN"), List.of(token.getName(), token.getKey()));
    assertTrue(r.all(PersistentVolumeClaim.class).isEmpty(), "existingClaim: no new claim");
    assertEquals("fedtt-store", volume(d, "store").getPersistentVolumeClaim().getClaimName());
    assertEquals(Set.of(Rendered.NAMESPACE, "hospital-a", "hospital-b", "shared"), r.all(ServiceAccount.class).stream()
        .filter(sa -> sa.getMetadata().getName().equals("fedtt-trainer")).map(sa -> sa.getMetadata().getNamespace())
        .collect(Collectors.toSet()));
    assertEquals("fedtt-controller", d.getSpec().getTemplate().getSpec().getServiceAccountName());
    assertEquals(Set.of(9443, 9464), r.one(Service.class).getSpec().getPorts().stream().map(ServicePort::getPort)
        .collect(Collectors.toSet()));
  }

  @Test
  void packagesWithoutTheTestValues() throws Exception {
    java.nio.file.Path out = Files.createTempDirectory("helm-package");
    try {
      Helm.require().ok("package", Repo.CHART.toString(), "--destination", out.toString());
      java.nio.file.Path tgz = out.resolve("fedtt-operator-0.1.0.tgz");
      assertTrue(Files.isRegularFile(tgz), "helm package wrote " + tgz);
      Set<String> entries = new java.util.TreeSet<>();
      try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(tgz))) {
        byte[] all = in.readAllBytes();
        for (int off = 0; off + 512 <= all.length; ) {
          String name = new String(all, off, 100, java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "");
          if (name.isEmpty()) {
            break;
          }
          long size = Long.parseLong(new String(all, off + 124, 11, java.nio.charset.StandardCharsets.US_ASCII).trim(), 8);
          entries.add(name);
          off += 512 + (int) ((size + 511) / 512) * 512;
        }
      }
      assertTrue(entries.contains("fedtt-operator/crds/federatedfinetunes.fedtt.io-v1.yml"), entries.toString());
      assertTrue(entries.contains("fedtt-operator/files/dashboards/fedtt-jobs.json"), entries.toString());
      assertTrue(entries.contains("fedtt-operator/values.schema.json"), entries.toString());
      assertTrue(entries.stream().noneMatch(e -> e.startsWith("fedtt-operator/ci/")), "ci/ values stay out: " + entries);
    } finally {
      try (Stream<java.nio.file.Path> files = Files.walk(out)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  void moreReplicasWithoutLeaderElectionIsRefused() {
    Helm.Result res = Helm.require().run("template", Rendered.RELEASE, Repo.CHART.toString(), "--set", "replicas=2");
    assertNotEquals(0, res.exitCode());
    assertTrue(res.stderr().contains("replicas > 1 needs leaderElection.enabled=true"), res.stderr());
  }

  @Test
  void schemaRejectsUnknownKeysAndWrongTypes() {
    Helm helm = Helm.require();
    Helm.Result typo = helm.run("template", Rendered.RELEASE, Repo.CHART.toString(), "--set", "persistance.enabled=false");
    assertNotEquals(0, typo.exitCode());
    assertTrue(typo.stderr().contains("Additional property persistance is not allowed"), typo.stderr());
    Helm.Result type = helm.run("template", Rendered.RELEASE, Repo.CHART.toString(), "--set", "metrics.port=http");
    assertNotEquals(0, type.exitCode());
    assertTrue(type.stderr().contains("metrics.port"), type.stderr());
  }

  // ------------------------------------------------------------------ shared checks

  private static void secureOperatorPod(Rendered r) {
    Deployment d = r.one(Deployment.class);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertTrue(pod.getSecurityContext().getRunAsNonRoot(), "runAsNonRoot");
    assertNotEquals(0L, pod.getSecurityContext().getRunAsUser());
    assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    Container c = pod.getContainers().get(0);
    assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem(), "readOnlyRootFilesystem");
    assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation(), "allowPrivilegeEscalation");
    assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
    assertNotNull(c.getResources().getRequests().get("cpu"));
    assertNotNull(c.getResources().getRequests().get("memory"));
    assertNotNull(c.getResources().getLimits().get("memory"));
    probe(c.getLivenessProbe(), "/healthz");
    probe(c.getReadinessProbe(), "/readyz");
    assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")), "writable /tmp");
    assertTrue(pod.getServiceAccountName() != null && !pod.getServiceAccountName().contains("worker"));
    assertTrue(d.getSpec().getTemplate().getMetadata().getLabels().entrySet()
        .containsAll(d.getSpec().getSelector().getMatchLabels().entrySet()), "selector matches the pod labels");
  }

  private static void probe(Probe p, String path) {
    assertNotNull(p, path + " probe");
    assertEquals(path, p.getHttpGet().getPath());
    assertEquals("metrics", p.getHttpGet().getPort().getStrVal(), path + " on the metrics port");
  }

  private static void serviceMatchesContainer(Rendered r) {
    Service svc = r.one(Service.class);
    Deployment d = r.one(Deployment.class);
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(podLabels.entrySet().containsAll(svc.getSpec().getSelector().entrySet()), "Service selects the operator pod");
    Map<String, Integer> containerPorts = d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
        .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    assertEquals(Set.of("federation", "metrics"), containerPorts.keySet());
    for (ServicePort p : svc.getSpec().getPorts()) {
      assertEquals(containerPorts.get(p.getTargetPort().getStrVal()), p.getPort(), "service port " + p.getName());
    }
    List<String> args = args(d);
    assertTrue(args.contains("--federation-bind=0.0.0.0:" + containerPorts.get("federation")), args.toString());
    assertTrue(args.contains("--metrics-bind=0.0.0.0:" + containerPorts.get("metrics")), args.toString());
  }

  private static void workerAccountsHaveNoRights(Rendered r) {
    List<ServiceAccount> workers = r.all(ServiceAccount.class).stream()
        .filter(sa -> "worker".equals(sa.getMetadata().getLabels().get("app.kubernetes.io/component"))).toList();
    assertFalse(workers.isEmpty(), "a worker ServiceAccount");
    Set<String> workerNames = workers.stream().map(sa -> sa.getMetadata().getName()).collect(Collectors.toSet());
    for (ServiceAccount sa : workers) {
      assertEquals(Boolean.FALSE, sa.getAutomountServiceAccountToken(), "worker SA token not mounted");
    }
    Stream.concat(r.all(RoleBinding.class).stream().flatMap(b -> b.getSubjects().stream()),
            r.all(ClusterRoleBinding.class).stream().flatMap(b -> b.getSubjects().stream()))
        .forEach(s -> assertFalse(workerNames.contains(s.getName()), "a role is bound to the worker account " + s));
  }

  private static void noWildcardRules(Rendered r) {
    Stream.concat(r.all(Role.class).stream().flatMap(x -> x.getRules().stream()),
            r.all(ClusterRole.class).stream().flatMap(x -> x.getRules().stream()))
        .forEach(rule -> Stream.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs())
            .flatMap(List::stream).forEach(s -> assertFalse(s.contains("*"), "wildcard in " + rule)));
  }

  static List<String> args(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
  }

  private static Volume volume(Deployment d, String name) {
    return d.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  private static Set<String> kinds(Rendered r) {
    return r.objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
  }

  private static String operatorSubject(Rendered r) {
    return "ServiceAccount " + Rendered.NAMESPACE + "/" + r.one(Deployment.class).getSpec().getTemplate().getSpec()
        .getServiceAccountName();
  }

  private static String subject(Subject s) {
    return s.getKind() + " " + s.getNamespace() + "/" + s.getName();
  }
}
