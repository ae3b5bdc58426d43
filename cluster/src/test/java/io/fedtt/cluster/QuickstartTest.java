package io.fedtt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.operator.FedttOperator;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.reconcile.Backoff;
import io.fedtt.operator.testing.OperatorHarness;
import io.fedtt.operator.testing.TestKubelet;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick start, shortened, end to end on a real API server: {@code examples/quickstart.yaml} with
 * two silos, two rounds of two local steps on small slices of its own data and a tiny evaluation
 * set, applied with kubectl; the operator (server-side apply on) creates the token Secret and the
 * worker pods; the test kubelet runs each pod's container as a real {@code fedtt worker} process
 * (built-in MiniLM, DJL) and writes the pods' status back. The job reaches Succeeded; {@code kubectl
 * wait --for=condition=Succeeded} returns, {@code kubectl get fft} shows the printer columns, and
 * the status holds conditions, history and accuracy; the job's events are recorded.
 */
// The jobs share one namespace, kubelet and operator: the quick start runs first, as it always did.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QuickstartTest {

  static final String NS = "quickstart";
  static final String NAME = "quickstart";
  static final int ROUNDS = 2;

  static ControlPlane cp;
  @TempDir
  static Path tmp;
  static FedttOperator operator;
  static TestKubelet kubelet;
  static ProcessWorker worker;

  @BeforeAll
  static void start() throws Exception {
    cp = ControlPlane.get();
    Crd.install(cp);
    Crd.podNamespace(cp, NS);
    worker = new ProcessWorker(Files.createDirectories(tmp.resolve("pods")),
        Map.of("FEDTT_CACHE_DIR", Files.createDirectories(tmp.resolve("model-cache")).toString(),
            "FEDTT_TORCH_THREADS", "1"));
    Path store = Files.createDirectories(tmp.resolve("store"));
    OperatorSettings settings = new OperatorSettings(Set.of(), new InetSocketAddress("127.0.0.1", 0), null, store,
        new InetSocketAddress("127.0.0.1", 0), false, null, null, true, null,
        new Backoff(Duration.ofMillis(500), Duration.ofSeconds(5)), 2, null, null, Duration.ofSeconds(10));
    operator = FedttOperator.start(settings, cp.withToken(cp.adminToken, "fedtt-operator-quickstart"));
    kubelet = new TestKubelet(cp.admin(), worker);
  }

  @AfterAll
  static void stop() {
    if (cp != null) {
      cp.admin().resources(FederatedFineTune.class).inNamespace(NS).delete();
      long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < end
          && !cp.admin().resources(FederatedFineTune.class).inNamespace(NS).list().getItems().isEmpty()) {
        OperatorHarness.sleep(100);
      }
    }
    if (kubelet != null) {
      kubelet.close();
    }
    if (operator != null) {
      operator.close();
    }
  }

  /** The first {@code lines} lines of a gzipped JSONL file, as a plain file in {@code dir}. */
  static Path slice(String file, int lines) throws Exception {
    Path out = tmp.resolve(file.replace(".gz", ""));
    List<String> kept = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
        Files.newInputStream(Repo.ROOT.resolve("examples/data/spam").resolve(file))), StandardCharsets.UTF_8))) {
      String line;
      while (kept.size() < lines && (line = r.readLine()) != null) {
        kept.add(line);
      }
    }
    Files.write(out, kept);
    return out;
  }

  /** examples/quickstart.yaml cut down: two silos, two rounds of two steps, small slices of its data. */
  static String shortenedQuickstart() throws Exception {
    return shortenedQuickstart(NAME, ROUNDS);
  }

  static String shortenedQuickstart(String jobName, int roundsTotal) throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    ObjectNode doc = (ObjectNode) yaml.readTree(Repo.ROOT.resolve("examples/quickstart.yaml").toFile());
    ((ObjectNode) doc.get("metadata")).put("namespace", NS).put("name", jobName);
    ObjectNode spec = (ObjectNode) doc.get("spec");
    ((ObjectNode) spec.get("model")).put("maxSequenceLength", 32);
    ObjectNode rounds = (ObjectNode) spec.get("rounds");
    rounds.put("total", roundsTotal).put("localSteps", 2).put("batchSize", 4).put("minSilos", 2)
        .put("roundTimeoutSeconds", 300).put("evaluateEvery", 1);
    String eval = "file:" + slice("eval-small.jsonl.gz", 16);
    ((ObjectNode) spec.get("evaluation")).put("data", eval);
    ArrayNode silos = (ArrayNode) spec.get("silos");
    silos.remove(2);
    for (int i = 0; i < 2; i++) {
      ObjectNode data = (ObjectNode) silos.get(i).get("data");
      String name = silos.get(i).get("name").asText();
      data.put("train", "file:" + slice(name + ".jsonl.gz", 24));
      // On a cluster, accuracy comes from the silos' own eval data (federated evaluation);
      // spec.evaluation is what fedtt simulate evaluates.
      data.put("eval", eval);
    }
    return yaml.writeValueAsString(doc);
  }

  @Test
  @Order(1)
  @Timeout(600)
  void aShortenedQuickstartSucceedsWithRealWorkerProcesses() throws Exception {
    long t0 = System.nanoTime();
    cp.kubectlIn(shortenedQuickstart(), "apply", "--server-side", "--field-manager=quickstart-user", "-f", "-");
    CompletableFuture<Cmd.Result> wait = CompletableFuture.supplyAsync(() -> cp.kubectl("wait",
        "--for=condition=Succeeded", "fft/" + NAME, "-n", NS, "--timeout=480s"));
    Cmd.Result waited = wait.get();
    long millis = (System.nanoTime() - t0) / 1_000_000;
    KubernetesClient admin = cp.admin();
    FederatedFineTune job = admin.resources(FederatedFineTune.class).inNamespace(NS).withName(NAME).get();
    assertTrue(waited.ok(), "kubectl wait --for=condition=Succeeded: " + waited.stderr() + waited.stdout()
        + "\nstatus: " + (job == null ? null : job.getStatus()) + "\nworkers: " + worker.exits());
    System.err.printf("quickstart: Succeeded %d ms after kubectl apply%n", millis);

    FederatedFineTuneStatus st = job.getStatus();
    assertEquals(Phase.Succeeded, st.getPhase());
    assertEquals(ROUNDS, st.getRound().getCompleted());
    assertEquals(List.of(1, 2), st.getHistory().stream().map(r -> r.getRound()).toList());
    assertNotNull(st.getMetrics().getAccuracy(), "status.metrics.accuracy");
    assertEquals(job.getMetadata().getGeneration(), st.getObservedGeneration());

    // Two worker processes ran (one per silo) and exited 0 (they exit after hearing "done").
    // (The class's other jobs run in the same namespace and kubelet: count this job's pods only.)
    java.util.function.Supplier<Map<String, ProcessWorker.Exit>> ours = () -> worker.exits().entrySet().stream()
        .filter(e -> e.getKey().startsWith(NAME + "-"))
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    OperatorHarness.until("both worker processes exited", Duration.ofSeconds(60), () -> ours.get().size() >= 2);
    var exits = ours.get();
    assertEquals(2, exits.size(), exits.toString());
    exits.values().forEach(e -> assertEquals(0, e.code(), e.pod() + ": " + ProcessWorker.tail(e.log())));

    // kubectl get fft: the printer columns, filled from the status.
    String table = cp.kubectlOk("get", "fft", NAME, "-n", NS);
    String header = table.lines().findFirst().orElse("");
    for (String column : List.of("NAME", "PHASE", "ROUND", "ACCURACY", "COMM", "AGE")) {
      assertTrue(header.contains(column), "column " + column + " in:\n" + table);
    }
    assertTrue(table.contains("Succeeded"), table);

    // Events for the job, and the pods' status as the kubelet wrote it.
    List<Event> events = admin.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> NAME.equals(e.getInvolvedObject().getName())).toList();
    assertFalse(events.isEmpty(), "events for the job");
    String pods = cp.kubectlOk("get", "pods", "-n", NS, "-o",
        "jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.containerStatuses[0].state.terminated.exitCode}{\"\\n\"}{end}");
    assertTrue(pods.lines().filter(l -> l.startsWith(NAME + "-")).allMatch(l -> l.endsWith(" Succeeded 0")), pods);
  }

  /**
   * A worker process SIGKILLed while it trains round 1: its pod fails with exit code 137, the
   * operator creates the silo's next pod, whose new process rejoins, and the job finishes every
   * round once.
   */
  @Test
  @Order(2)
  @Timeout(600)
  void aWorkerProcessKilledMidRoundIsRecreatedAndTheJobFinishes() throws Exception {
    String name = "killed";
    int rounds = 3;
    cp.kubectlIn(shortenedQuickstart(name, rounds), "apply", "--server-side", "--field-manager=quickstart-user", "-f", "-");
    KubernetesClient admin = cp.admin();
    String victim = name + "-site-a-0";
    // Killed while training round 1 (its log says so), so the job has rounds left to recover in.
    OperatorHarness.until(victim + " training round 1", Duration.ofSeconds(120),
        () -> worker.running().contains(victim) && worker.output(victim).contains("round 1/" + rounds));
    FederatedFineTune before = admin.resources(FederatedFineTune.class).inNamespace(NS).withName(name).get();
    assertNotEquals(Phase.Succeeded, before.getStatus().getPhase(), "the job finished before the kill");
    assertTrue(worker.kill(victim), "the victim's process was running");
    OperatorHarness.until(victim + " exited", Duration.ofSeconds(30), () -> worker.exits().containsKey(victim));
    assertEquals(137, worker.exits().get(victim).code(), "SIGKILL");
    OperatorHarness.until(victim + " reported Failed with exit code 137", Duration.ofSeconds(30), () -> {
      Pod p = admin.pods().inNamespace(NS).withName(victim).get();
      return p != null && "Failed".equals(p.getStatus().getPhase())
          && Integer.valueOf(137).equals(p.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode());
    });
    Cmd.Result waited = cp.kubectl("wait", "--for=condition=Succeeded", "fft/" + name, "-n", NS, "--timeout=480s");
    FederatedFineTune job = admin.resources(FederatedFineTune.class).inNamespace(NS).withName(name).get();
    assertTrue(waited.ok(), waited.stderr() + "\nstatus: " + (job == null ? null : job.getStatus())
        + "\nworkers: " + worker.exits());
    assertEquals(List.of(1, 2, 3), job.getStatus().getHistory().stream().map(r -> r.getRound()).toList(),
        "every round once");
    var a = job.getStatus().getSilos().stream().filter(x -> x.getName().equals("site-a")).findFirst().orElseThrow();
    assertEquals(1, a.getRestarts(), a.toString());
    OperatorHarness.until("the recreated worker exited", Duration.ofSeconds(60),
        () -> worker.exits().containsKey(name + "-site-a-1"));
    assertEquals(0, worker.exits().get(name + "-site-a-1").code(),
        ProcessWorker.tail(worker.exits().get(name + "-site-a-1").log()));
  }
  /**
   * The shortened quick start with secure aggregation, on the cluster: the worker processes run the
   * protocol with the operator's coordinator, the job succeeds, and the operator's store never holds
   * an update file (it is watched while the job runs; masked updates are summed in memory only).
   */
  @Test
  @Order(3)
  @Timeout(600)
  void secureAggregationSucceedsAndTheOperatorNeverStoresAnUpdate() throws Exception {
    String name = "secure";
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    ObjectNode doc = (ObjectNode) yaml.readTree(shortenedQuickstart(name, ROUNDS));
    ((ObjectNode) doc.get("spec")).putObject("privacy").putObject("secureAggregation").put("threshold", 2)
        .put("stageTimeoutSeconds", 30);
    cp.kubectlIn(yaml.writeValueAsString(doc), "apply", "--server-side", "--field-manager=quickstart-user", "-f", "-");
    CompletableFuture<Cmd.Result> wait = CompletableFuture.supplyAsync(() -> cp.kubectl("wait",
        "--for=condition=Succeeded", "fft/" + name, "-n", NS, "--timeout=480s"));
    Path store = tmp.resolve("store");
    List<Path> updateFiles = new ArrayList<>();
    while (!wait.isDone()) {
      try (var files = Files.walk(store)) {
        files.filter(Files::isRegularFile).filter(f -> f.toString().contains("/updates/")).forEach(updateFiles::add);
      } catch (java.io.UncheckedIOException | java.io.IOException e) {
        // a file vanished while walking (the store prunes as rounds close): look again
      }
      Thread.sleep(20);
    }
    Cmd.Result waited = wait.get();
    FederatedFineTune job = cp.admin().resources(FederatedFineTune.class).inNamespace(NS).withName(name).get();
    assertTrue(waited.ok(), "kubectl wait --for=condition=Succeeded: " + waited.stderr() + waited.stdout()
        + "\nstatus: " + (job == null ? null : job.getStatus()) + "\nworkers: " + worker.exits());
    FederatedFineTuneStatus st = job.getStatus();
    assertEquals(ROUNDS, st.getRound().getCompleted());
    st.getHistory().forEach(r -> assertEquals(2, r.getParticipants(), "both silos' updates in the sum"));
    assertEquals(List.of(), updateFiles, "the operator stored individual updates");
  }
}
