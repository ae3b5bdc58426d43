package io.fedtt.platform.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.ConfigBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fedtt.api.v1alpha1.CommunicationSpec;
import io.fedtt.api.v1alpha1.DifferentialPrivacySpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.PrivacySpec;
import io.fedtt.api.v1alpha1.SiloData;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.core.model.HfConfig;
import io.fedtt.operator.FedttOperator;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.build.ModelProbePodBuilder;
import io.fedtt.operator.reconcile.Backoff;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.HoldGate;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.TestKubelet;
import io.fedtt.platform.Repo;
import io.fedtt.platform.chart.Rendered;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real operator (FedttOperator, the process the image starts) against the recording
 * Fabric8 mock API server, through a job's whole life and its awkward turns: success with
 * ttlSecondsAfterFinished, a failed pod recreated, a silo added (token Secret updated), suspend and
 * resume, deletion, an invalid spec, a pvc: model whose config.json a probe pod prints. The operator talks through its own client, marked by its
 * User-Agent, so its requests can be told apart from the test's and the test kubelet's. From that
 * run come the facts the chart is checked against:
 * <ul>
 *   <li>the chart's RBAC rules equal what the operator used (plus the few grants a mock server
 *       cannot show, each listed with its reason), with no wildcards;</li>
 *   <li>the Grafana dashboard refers only to metric names found in a real scrape of the operator.</li>
 * </ul>
 */
@EnableKubernetesMockClient(crud = true)
class LiveOperatorTest {

  static final String USER_AGENT = "fedtt-operator-under-audit";

  static KubernetesMockServer server;
  static KubernetesClient client;
  @TempDir
  static Path store;

  /** Grants the operator's own requests needed. */
  static Set<String> used;
  /** The operator's /metrics while a finished job was still known to it. */
  static String scrape;

  @BeforeAll
  static void runTheOperator() throws Exception {
    installCrd();
    HoldGate gate = new HoldGate();
    KubernetesClient operatorClient = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(USER_AGENT).build()).build();
    FedttOperator operator = FedttOperator.start(OperatorSettings.forTests(store)
        .withBackoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1))), operatorClient);
    TestKubelet kubelet = new TestKubelet(client, new FakeWorker(gate));
    try {
      // 1. Runs to Succeeded, then ttlSecondsAfterFinished=0 has the operator delete it.
      FederatedFineTune done = Jobs.job("team-a", "done", 2, "a", "b");
      done.getSpec().getRunPolicy().setTtlSecondsAfterFinished(0);
      create(done);
      until("team-a/done deleted after its TTL", () -> get("team-a", "done") == null);

      // 2. A failed pod, a silo added, suspend and resume, success, then deletion by the user.
      gate.hold("team-b/busy", "*", 1);
      FederatedFineTune busy = Jobs.job("team-b", "busy", 2, "a", "b");
      // central differential privacy, so the scrape also carries the metrics only such jobs have
      DifferentialPrivacySpec dp = new DifferentialPrivacySpec();
      dp.setClipNorm(1.0);
      dp.setNoiseMultiplier(1.0);
      PrivacySpec privacy = new PrivacySpec();
      privacy.setDifferentialPrivacy(dp);
      busy.getSpec().setPrivacy(privacy);
      // and a byte budget far above what it moves, for the budget gauge
      CommunicationSpec communication = new CommunicationSpec();
      communication.setBudgetBytes(1_000_000_000_000L);
      busy.getSpec().setCommunication(communication);
      create(busy);
      until("busy pods running", () -> running("team-b", "busy-a-0") && running("team-b", "busy-b-0"));
      kubelet.fail("team-b", "busy-a-0", "OOMKilled", 137);
      until("busy-a recreated", () -> running("team-b", "busy-a-1"));
      edit("team-b", "busy", j -> {
        SiloSpec c = new SiloSpec();
        c.setName("c");
        SiloData d = new SiloData();
        d.setTrain("file:/data/c/train.jsonl");
        c.setData(d);
        j.getSpec().getSilos().add(c);
        return j;
      });
      until("silo c's pod", () -> running("team-b", "busy-c-0"));
      edit("team-b", "busy", j -> {
        j.getSpec().setSuspend(true);
        return j;
      });
      until("busy suspended", () -> phase("team-b", "busy") == Phase.Suspended && pods("team-b", "busy").isEmpty());
      edit("team-b", "busy", j -> {
        j.getSpec().setSuspend(false);
        return j;
      });
      gate.release("team-b/busy");
      until("busy succeeded", () -> phase("team-b", "busy") == Phase.Succeeded);
      scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + operator.metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      client.resources(FederatedFineTune.class).inNamespace("team-b").withName("busy").delete();
      until("busy deleted", () -> get("team-b", "busy") == null);

      // 3. An invalid spec: Failed with InvalidSpec and a Warning event, no pods.
      FederatedFineTune bad = Jobs.job("team-c", "bad", 2, "a", "b");
      bad.getSpec().getModel().setUri("builtin:not-built-in");
      create(bad);
      until("bad failed", () -> phase("team-c", "bad") == Phase.Failed);

      // 4. A pvc: model without architecture: a probe pod prints config.json, the operator reads its log.
      FederatedFineTune probed = Jobs.job("team-d", "from-claim", 1, "a");
      probed.getSpec().getModel().setUri("pvc:models/tiny-bert");
      create(probed);
      until("probe pod", () -> client.pods().inNamespace("team-d").withName("from-claim-model-probe").get() != null);
      server.expect().get().withPath("/api/v1/namespaces/team-d/pods/from-claim-model-probe/log?pretty=false"
          + "&container=" + ModelProbePodBuilder.CONTAINER + "&limitBytes=" + (HfConfig.MAX_BYTES + 1))
          .andReturn(200, "{\"model_type\":\"bert\",\"hidden_size\":32,\"num_hidden_layers\":2,"
              + "\"intermediate_size\":64,\"num_attention_heads\":2}").always();
      Pod probe = client.pods().inNamespace("team-d").withName("from-claim-model-probe").get();
      probe.setStatus(new PodStatusBuilder().withPhase("Succeeded").build());
      client.pods().inNamespace("team-d").resource(probe).updateStatus();
      until("from-claim succeeded", () -> phase("team-d", "from-claim") == Phase.Succeeded);
    } finally {
      kubelet.close();
      operator.close();
      operatorClient.close();
    }
    used = new TreeSet<>();
    RecordedRequest r;
    while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
      if (USER_AGENT.equals(r.getHeader("User-Agent"))) {
        ApiAudit.grant(r).ifPresent(used::add);
      }
    }
    System.err.println("operator API use seen on the mock server: " + used);
  }

  // ================================================================ RBAC

  /**
   * Grants the chart holds that this run cannot show, each for a reason in the operator's code:
   * server-side apply (production; the mock answers 415 to it) patches the status; owner references
   * with blockOwnerDeletion=true (OwnerRefs) need update on the finalizers subresource where the
   * OwnerReferencesPermissionEnforcement admission plugin runs.
   */
  static final Set<String> NOT_SEEN_ON_A_MOCK = Set.of(
      "fedtt.io/federatedfinetunes/status:patch",
      "fedtt.io/federatedfinetunes/finalizers:update");

  /** Requests every authenticated identity may make (the default system:basic-user ClusterRole). */
  static boolean grantedToEveryone(String grant) {
    return grant.startsWith("authorization.k8s.io/selfsubject");
  }

  @Test
  void chartRulesAreExactlyWhatTheOperatorUses() {
    Set<String> needed = new TreeSet<>();
    used.stream().filter(g -> !grantedToEveryone(g)).forEach(needed::add);
    assertTrue(needed.contains("core/pods:create") && needed.contains("fedtt.io/federatedfinetunes:watch"),
        "the audit saw the operator work: " + needed);
    Set<String> seenAnyway = new TreeSet<>(NOT_SEEN_ON_A_MOCK);
    seenAnyway.retainAll(needed);
    assertEquals(Set.of(), seenAnyway, "seen after all: drop them from NOT_SEEN_ON_A_MOCK");
    needed.addAll(NOT_SEEN_ON_A_MOCK);
    Set<String> granted = new TreeSet<>(Rendered.grants(Rendered.of(null).one(ClusterRole.class).getRules()));
    Set<String> missing = new TreeSet<>(needed);
    missing.removeAll(granted);
    Set<String> unused = new TreeSet<>(granted);
    unused.removeAll(needed);
    assertEquals(Set.of(), missing, "the operator used these, the chart's rules (templates/_helpers.tpl) lack them;"
        + " seen: " + used + "; added: " + NOT_SEEN_ON_A_MOCK);
    assertEquals(Set.of(), unused, "the chart grants these, the operator never used them; seen: " + used
        + "; added: " + NOT_SEEN_ON_A_MOCK);
    // The per-namespace Roles render the same helper.
    Rendered namespaced = Rendered.of("namespaced-rbac-values.yaml");
    for (Role role : namespaced.all(Role.class)) {
      assertEquals(granted, new TreeSet<>(Rendered.grants(role.getRules())), role.getMetadata().getNamespace());
    }
  }

  @Test
  void theOperatorNeverTouchesOtherResources() {
    Set<String> resources = new TreeSet<>();
    used.stream().filter(g -> !grantedToEveryone(g)).forEach(g -> resources.add(g.substring(0, g.indexOf(':'))));
    assertEquals(Set.of("core/events", "core/pods", "core/pods/log", "core/secrets", "fedtt.io/federatedfinetunes",
        "fedtt.io/federatedfinetunes/status"), resources, "resources the operator used: " + used);
  }

  // ================================================================ dashboard

  /** What the dashboard must show (issue: accuracy, communication, rounds, durations, updates, phases). */
  static final Set<String> DASHBOARD_MUST_USE = Set.of("fedtt_accuracy", "fedtt_best_accuracy", "fedtt_bytes_total",
      "fedtt_rounds_completed_total", "fedtt_round_duration_seconds_bucket", "fedtt_silo_updates_total", "fedtt_jobs");

  @Test
  void dashboardUsesOnlyMetricsAndLabelsFromARealScrape() throws Exception {
    Map<String, Set<String>> scraped = PromQl.exposition(scrape);
    assertTrue(scraped.containsKey("fedtt_round_duration_seconds_bucket"), "the scrape has a finished job's series:\n"
        + scrape);
    JsonNode dashboard = new ObjectMapper().readTree(Repo.CHART.resolve("files/dashboards/fedtt-jobs.json").toFile());
    List<String> exprs = PromQl.dashboardExpressions(dashboard);
    assertTrue(exprs.size() >= 10, "expressions found: " + exprs);
    Map<String, Set<String>> used = new TreeMap<>();
    exprs.forEach(e -> PromQl.selectors(e).forEach((m, l) -> used.computeIfAbsent(m, k -> new TreeSet<>()).addAll(l)));
    List<String> fedttInScrape = scraped.keySet().stream().filter(n -> n.startsWith("fedtt_")).sorted().toList();
    used.forEach((metric, labels) -> {
      assertTrue(scraped.containsKey(metric), "the dashboard queries " + metric + ", which the operator does not export;"
          + " it exports " + fedttInScrape);
      assertTrue(scraped.get(metric).containsAll(labels), metric + " is matched on " + labels + ", its samples carry "
          + scraped.get(metric));
    });
    assertTrue(used.keySet().containsAll(DASHBOARD_MUST_USE), "the dashboard shows " + used.keySet());
  }

  @Test
  void metricsNamedInThePlatformGuideAreExported() throws Exception {
    Map<String, Set<String>> scraped = PromQl.exposition(scrape);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:fedtt|operator_sdk)_[a-z_]+")
        .matcher(Files.readString(Repo.ROOT.resolve("docs/platform.md")));
    Set<String> named = new TreeSet<>();
    while (m.find()) {
      named.add(m.group());
    }
    assertTrue(named.size() >= 10, "metric names in docs/platform.md: " + named);
    for (String n : named) {
      assertTrue(scraped.containsKey(n) || scraped.containsKey(n + "_bucket"),
          "docs/platform.md names " + n + ", which the operator does not export");
    }
  }

  @Test
  void promQlReaderFindsMetricsAndMatchersOnly() {
    assertEquals(Map.of("x_total", Set.of("n"), "y", Set.of()), PromQl.selectors(
        "sum by (a, le) (rate(x_total{n=~\"$v\", }[$__rate_interval])) / on (a) group_left histogram_quantile(0.5, y)"));
    assertEquals(Map.of("m", Set.of("namespace")), PromQl.selectors("label_values(m{namespace=~\"$ns\"}, name)"));
    assertEquals(Set.of("a_total"), PromQl.exposition("# TYPE a counter\na_total{x=\"1\",y=\"q}\"} 3\n").keySet());
  }

  // ================================================================ helpers

  private static void installCrd() throws Exception {
    try (InputStream in = Files.newInputStream(Repo.CRD)) {
      CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    }
  }

  private static void create(FederatedFineTune job) {
    client.resources(FederatedFineTune.class).inNamespace(job.getMetadata().getNamespace()).resource(job).create();
  }

  private static FederatedFineTune get(String ns, String name) {
    return client.resources(FederatedFineTune.class).inNamespace(ns).withName(name).get();
  }

  private static Phase phase(String ns, String name) {
    FederatedFineTune j = get(ns, name);
    return j == null || j.getStatus() == null ? null : j.getStatus().getPhase();
  }

  /** Edits the spec, retrying when the operator's status writes got in between (409). */
  private static void edit(String ns, String name, UnaryOperator<FederatedFineTune> change) {
    for (int i = 0; ; i++) {
      try {
        client.resources(FederatedFineTune.class).inNamespace(ns).withName(name).edit(change);
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || i > 20) {
          throw e;
        }
      }
    }
  }

  private static List<Pod> pods(String ns, String job) {
    return client.pods().inNamespace(ns).withLabel(Labels.JOB, job).list().getItems();
  }

  private static boolean running(String ns, String pod) {
    Pod p = client.pods().inNamespace(ns).withName(pod).get();
    return p != null && p.getStatus() != null && "Running".equals(p.getStatus().getPhase());
  }

  private static void until(String what, BooleanSupplier check) throws InterruptedException {
    long start = System.nanoTime();
    long end = start + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end) {
      if (check.getAsBoolean()) {
        System.err.printf("live operator: %s after %d ms%n", what, (System.nanoTime() - start) / 1_000_000);
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out after 60 s waiting for " + what);
  }
}
