package io.fedtt.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.api.v1alpha1.status.SiloStatus;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.coordinator.CoordinatorSnapshot;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.tensor.Digest;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.testing.OperatorHarness;
import io.fedtt.worker.model.bert.BertConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator and the real DJL worker together: a FederatedFineTune with two silos (slices of the
 * bundled SpamAssassin data, each with a local eval split) is reconciled on the Fabric8 CRUD mock
 * API server into a token Secret and two worker pods; the test kubelet runs each pod's container as
 * {@code fedtt worker} in this JVM, with the pod's own arguments, environment (FEDTT_JOB_DESCRIPTION) and
 * projected token; the workers train two rounds over the real protocol against the operator's
 * federation endpoint, and the resource ends Succeeded with accuracy, bytes, history and the
 * final adapter in its status.
 *
 * <p>The base model is a generated tiny BERT ({@link TinyBertModel}: hidden 32, 2 layers) given as
 * a {@code file:} model with its {@code spec.model.architecture}: the operator lays out the initial
 * adapter from that declaration, each worker loads the model and checks it against it. Its rounds
 * take well under a second; with the built-in MiniLM the job took about twice as long.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorWithRealWorkersTest {

  static final String NS = "e2e";
  static final String NAME = "spam-filter";
  static final int ROUNDS = 2;
  static final Pattern TRAFFIC = Pattern.compile("traffic up ([\\d,]+) B, down ([\\d,]+) B");

  static KubernetesClient client;
  @TempDir
  static Path dir;
  static OperatorHarness h;
  static InProcessWorker worker;
  static final BertConfig MODEL = TinyBertModel.config();
  static Path model;

  @BeforeAll
  static void start() throws Exception {
    // The model on a volume every pod sees (here: a folder of the test's).
    long t0 = System.nanoTime();
    model = TinyBertModel.write(dir.resolve("tiny-bert"), MODEL, 3);
    System.err.printf("e2e: tiny model written in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    Path cache = Files.createDirectories(dir.resolve("model-cache"));
    worker = new InProcessWorker(Files.createDirectories(dir.resolve("pods")),
        Map.of("FEDTT_CACHE_DIR", cache.toString(), "FEDTT_TORCH_THREADS", "1"));
    Path store = Files.createDirectories(dir.resolve("store"));
    h = OperatorHarness.start(client, store, OperatorSettings.forTests(store), worker);
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  static FederatedFineTune job(String name, Path data) throws Exception {
    Path spam = SpamSlices.spamDir();
    var a = SpamSlices.write(spam.resolve("site-a.jsonl.gz"), data, "site-a", 12, 6);
    var b = SpamSlices.write(spam.resolve("site-b.jsonl.gz"), data, "site-b", 12, 6);
    return job(name, a, b);
  }

  static FederatedFineTune job(String name, SpamSlices.Slice a, SpamSlices.Slice b) throws Exception {
    return load(name, "localSteps: 2, batchSize: 8, minSilos: 2", """
          silos:
          - name: site-a
            data: {train: "file:%s", eval: "file:%s"}
          - name: site-b
            data: {train: "file:%s", eval: "file:%s"}
        """.formatted(a.train(), a.eval(), b.train(), b.eval()));
  }

  /** The exits of a job's workers, once {@code pods} of them have exited: they do after hearing "done". */
  static List<InProcessWorker.Exit> exitsOf(String job, int pods) {
    OperatorHarness.until(pods + " workers of " + job + " exited", Duration.ofSeconds(30), () -> worker.exits().keySet()
        .stream().filter(p -> p.startsWith(job + "-")).count() >= pods);
    return worker.exits().values().stream().filter(e -> e.pod().startsWith(job + "-")).toList();
  }

  /**
   * A job on the tiny model, {@link #ROUNDS} rounds, with the given schedule fields and participants
   * (a {@code silos:} or {@code devices:} block of the spec), as the API server would hold it.
   */
  static FederatedFineTune load(String name, String schedule, String participants) throws Exception {
    String yaml = """
        apiVersion: fedtt.io/v1alpha1
        kind: FederatedFineTune
        metadata: {name: %s, namespace: %s}
        spec:
          model:
            uri: "file:%s"
            architecture: {family: BERT, hiddenSize: %d, numLayers: %d, intermediateSize: %d, numHeads: %d, vocabSize: %d, maxPositions: %d, typeVocabSize: %d}
            task: sequence-classification
            labels: [ham, spam]
            maxSequenceLength: 32
          adapter: {type: tt, ttRank: 4, bottleneck: 16}
          method: {algorithm: FedTT}
          rounds: {total: %d, %s, learningRate: 1.0e-3, roundTimeoutSeconds: 120, seed: 11}
          data: {textField: text, labelField: label}
          runPolicy: {backoffLimit: 0}
        """.formatted(name, NS, model, MODEL.hiddenSize(), MODEL.numHiddenLayers(), MODEL.intermediateSize(),
        MODEL.numAttentionHeads(), MODEL.vocabSize(), MODEL.maxPositionEmbeddings(), MODEL.typeVocabSize(),
        ROUNDS, schedule) + participants;
    FederatedFineTune job = ManifestValidator.standard().load(yaml);
    // The mock API server assigns neither.
    job.getMetadata().setUid(UUID.nameUUIDFromBytes((NS + "/" + name).getBytes()).toString());
    job.getMetadata().setGeneration(1L);
    return job;
  }

  @Test
  @Timeout(300)
  void twoSilosTrainTwoRoundsToSucceeded() throws Exception {
    long t0 = System.nanoTime();
    h.create(job(NAME, Files.createDirectories(dir.resolve("data"))));
    FederatedFineTune done = h.await(NS, NAME, j -> j.getStatus() != null && j.getStatus().getPhase().isFinished(),
        "a finished phase", Duration.ofSeconds(240));
    long jobMillis = (System.nanoTime() - t0) / 1_000_000;
    FederatedFineTuneStatus st = done.getStatus();
    assertEquals(Phase.Succeeded, st.getPhase(), () -> "status: " + st + "\nworkers: " + worker.exits());
    System.err.printf("e2e: job Succeeded %d ms after creation; accuracy %s, bytes up %,d down %,d%n", jobMillis,
        st.getMetrics().getAccuracy(), st.getCommunication().getBytesUp(), st.getCommunication().getBytesDown());

    // Two pods ran the real worker once each (no restarts) and both left with exit code 0.
    var exits = exitsOf(NAME, 2);
    assertEquals(2, exits.size(), worker.exits().keySet().toString());
    for (InProcessWorker.Exit e : exits) {
      assertEquals(0, e.code(), e.pod() + " stderr: " + e.err());
      assertTrue(e.out().contains("this silo trained " + ROUNDS + " round(s)"), e.out());
    }
    assertEquals(List.of("site-a", "site-b"), st.getSilos().stream().map(SiloStatus::getName).toList());
    for (SiloStatus s : st.getSilos()) {
      assertEquals(0, s.getRestarts() == null ? 0 : s.getRestarts(), s.toString());
      assertEquals(ROUNDS, s.getLastRound(), s.toString());
      assertTrue(s.getExamples() != null && s.getExamples() > 0, "examples the worker reported: " + s);
    }

    assertEquals(ROUNDS, st.getRound().getCompleted());
    assertEquals(ROUNDS, st.getRound().getTotal());
    Double accuracy = st.getMetrics().getAccuracy();
    assertNotNull(accuracy, "status.metrics.accuracy");
    assertTrue(accuracy >= 0 && accuracy <= 1, "accuracy " + accuracy);
    assertEquals(List.of(1, 2), st.getHistory().stream().map(r -> r.getRound()).toList());

    // Bytes: status holds the coordinator's live totals at completion; its saved snapshot can lag
    // them by traffic counted after the save (JobLifecycleTest).
    JobId id = new JobId(NS, NAME);
    FileRoundStore jobStore = FileRoundStore.forJob(h.store.resolve("jobs"), id);
    CoordinatorSnapshot saved = CoordinatorSnapshot.fromJson(jobStore.loadState().orElseThrow(), "e2e");
    List<RoundRecord> history = saved.history(jobStore).stream().filter(RoundRecord::completed).toList();
    assertEquals(ROUNDS, saved.completedRounds());
    assertEquals(ROUNDS, history.size());
    long up = st.getCommunication().getBytesUp();
    long down = st.getCommunication().getBytesDown();
    assertTrue(up > 0 && down > 0, st.getCommunication().toString());
    long oneUpload = history.get(history.size() - 1).bytesUp() / 2 + 1;
    assertTrue(up >= saved.bytesUp() && up <= saved.bytesUp() + oneUpload,
        st.getCommunication() + " vs saved up " + saved.bytesUp());
    assertTrue(down >= saved.bytesDown() && down <= saved.bytesDown() + 2 * 1024,
        st.getCommunication() + " vs saved down " + saved.bytesDown());
    for (int i = 0; i < ROUNDS; i++) {
      var shown = st.getHistory().get(i);
      assertEquals(2, shown.getParticipants());
      assertEquals(history.get(i).bytesUp(), shown.getBytesUp());
      assertEquals(history.get(i).bytesDown(), shown.getBytesDown());
      assertTrue(shown.getBytesUp() > 0 && shown.getBytesDown() > 0, shown.toString());
    }
    // ... and what the workers themselves counted on the wire: every upload, and all they read.
    long workersUp = 0;
    long workersDown = 0;
    for (InProcessWorker.Exit e : exits) {
      Matcher m = TRAFFIC.matcher(e.out());
      assertTrue(m.find(), e.out());
      workersUp += Long.parseLong(m.group(1).replace(",", ""));
      workersDown += Long.parseLong(m.group(2).replace(",", ""));
    }
    System.err.printf("e2e: workers counted up %,d down %,d; status up %,d down %,d; saved up %,d down %,d%n",
        workersUp, workersDown, up, down, saved.bytesUp(), saved.bytesDown());
    assertTrue(up <= workersUp && up >= workersUp - oneUpload, "status up " + up + " vs workers " + workersUp);
    assertTrue(down <= workersDown, "status down " + down + " vs workers " + workersDown);

    // The final adapter is where status says, with the digest status gives: the coordinator's global.
    String location = st.getAdapter().getLocation();
    assertTrue(location.startsWith("file:"), location);
    byte[] adapter = Files.readAllBytes(Path.of(location.substring("file:".length())));
    assertEquals("sha256:" + Digest.sha256Hex(adapter), st.getAdapter().getDigest());
    assertEquals("sha256:" + saved.globalDigest(), st.getAdapter().getDigest());
    assertTrue(Conditions.isTrue(st.getConditions(), ConditionType.Succeeded));

    // cleanPodPolicy All: the workers' pods are gone once the job is over.
    OperatorHarness.until("pods deleted", Duration.ofSeconds(20), () -> client.pods().inNamespace(NS)
        .withLabel(Labels.JOB, NAME).list().getItems().isEmpty());
  }

  @Test
  @Timeout(300)
  void crossDeviceShardsTrainTheirDevicesToSucceeded() throws Exception {
    // 6 virtual devices on 2 worker pods (3 each), 4 sampled a round: each pod runs `fedtt worker
    // --shard K --shards 2` with the one token that acts for its devices.
    Path data = Files.createDirectories(dir.resolve("device-data"));
    var all = SpamSlices.write(SpamSlices.spamDir().resolve("site-a.jsonl.gz"), data, "devices", 12, 1);
    FederatedFineTune job = load("devices", "localSteps: 1, batchSize: 4, minSilos: 4", """
          devices:
            count: 6
            perRound: 4
            workers: 2
            partition: {by: iid}
            data: {train: "file:%s"}
        """.formatted(all.train()));
    h.create(job);
    FederatedFineTune done = h.await(NS, "devices", j -> j.getStatus() != null && j.getStatus().getPhase().isFinished(),
        "a finished phase", Duration.ofSeconds(240));
    FederatedFineTuneStatus st = done.getStatus();
    assertEquals(Phase.Succeeded, st.getPhase(), () -> "status: " + st + "\nworkers: " + worker.exits());

    var exits = exitsOf("devices", 2);
    assertEquals(2, exits.size(), worker.exits().keySet().toString());
    for (InProcessWorker.Exit e : exits) {
      assertEquals(0, e.code(), e.pod() + " stderr: " + e.err());
      assertTrue(e.out().contains("this shard's 3 devices trained"), e.out());
    }
    assertEquals(List.of(4, 4), st.getHistory().stream().map(r -> r.getParticipants()).toList());
    assertEquals(List.of("worker-0", "worker-1"), st.getSilos().stream().map(SiloStatus::getName).toList());
    for (SiloStatus s : st.getSilos()) {
      assertTrue(s.getExamples() != null && s.getExamples() > 0, "examples its devices reported: " + s);
    }
  }

  @Test
  @Timeout(120)
  void aWorkersExitCodeAndMessageReachTheSiloStatus() throws Exception {
    // Data that is not there: the worker names the file and exits 2 before loading the model.
    Path missing = dir.resolve("no-such-dir");
    var gone = new SpamSlices.Slice(missing.resolve("train.jsonl"), missing.resolve("eval.jsonl"));
    h.create(job("no-data", gone, gone));
    FederatedFineTune failed = h.await(NS, "no-data", j -> j.getStatus() != null
        && j.getStatus().getPhase().isFinished(), "a finished phase", Duration.ofSeconds(90));
    FederatedFineTuneStatus st = failed.getStatus();
    assertEquals(Phase.Failed, st.getPhase(), st::toString);
    assertEquals(Reason.BackoffLimitExceeded.name(),
        Conditions.find(st.getConditions(), ConditionType.Failed).orElseThrow().getReason(), st::toString);
    SiloStatus silo = st.getSilos().stream().filter(x -> "Error".equals(x.getReason())).findFirst()
        .orElseThrow(() -> new AssertionError("no silo with reason Error: " + st.getSilos()));
    assertTrue(silo.getMessage().contains("exited with code 2"), silo.getMessage());
    assertTrue(silo.getMessage().contains(missing.toString()), silo.getMessage());
    InProcessWorker.Exit exit = worker.exits().get(silo.getPod());
    assertNotNull(exit, silo.getPod() + " did not run: " + worker.exits().keySet());
    assertEquals(2, exit.code());
  }
}
