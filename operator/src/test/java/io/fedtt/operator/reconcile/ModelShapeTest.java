package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.ModelStatus;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.job.JobDescriptionJson;
import io.fedtt.core.model.HubClient;
import io.fedtt.core.model.ModelConfigFetcher;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.build.ModelProbePodBuilder;
import io.fedtt.operator.build.WorkerPodBuilder;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.HoldGate;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.OperatorHarness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs without spec.model.architecture: the operator reads the model's config.json (file:, hf: over a
 * loopback "hub", pvc: through a probe pod the test drives), lays the adapter out on it, keeps the shape
 * in status.model, and refuses a declared architecture that differs.
 */
@EnableKubernetesMockClient(crud = true)
class ModelShapeTest {

  static final String TINY_BERT = "{\"model_type\":\"bert\",\"hidden_size\":32,\"num_hidden_layers\":2,"
      + "\"intermediate_size\":64,\"num_attention_heads\":2,\"vocab_size\":30522}";
  static final String TINY_LLAMA = "{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\",\"hidden_size\":64,"
      + "\"num_hidden_layers\":2,\"intermediate_size\":160,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
      + "\"vocab_size\":400,\"max_position_embeddings\":256,\"tie_word_embeddings\":false}";
  static final ModelConfig BERT = ModelConfig.bert(32, 2, 64, 2, 30522, 512, 2, 2);
  static final ModelConfig LLAMA = ModelConfig.llama(64, 2, 160, 4, 2, 400, 256, false, false).withNumLabels(2);

  static KubernetesClient client;
  static KubernetesMockServer server;
  @TempDir
  static Path store;
  @TempDir
  static Path models;
  static HttpServer hub;
  static final List<String> hubRequests = new CopyOnWriteArrayList<>();
  static final HoldGate gate = new HoldGate();
  static OperatorHarness h;

  @BeforeAll
  static void start() throws IOException {
    Files.createDirectories(models.resolve("tiny-bert"));
    Files.writeString(models.resolve("tiny-bert/config.json"), TINY_BERT);
    hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hub.createContext("/", ex -> {
      hubRequests.add(ex.getRequestURI().getPath());
      byte[] body = TINY_BERT.getBytes(StandardCharsets.UTF_8);
      if (!ex.getRequestURI().getPath().equals("/org/tiny-bert/resolve/main/config.json")) {
        ex.sendResponseHeaders(404, -1);
      } else {
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
      ex.close();
    });
    hub.start();
    ModelSettings modelSettings = new ModelSettings(new ModelConfigFetcher(new HubClient(
        URI.create("http://127.0.0.1:" + hub.getAddress().getPort()), Optional.empty(), true, Duration.ofSeconds(5),
        Duration.ofSeconds(5)), models), "probe:test", Duration.ofSeconds(60), Duration.ofMillis(300));
    h = OperatorHarness.start(client, store, OperatorSettings.forTests(store).withModels(modelSettings)
        .withBackoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2))), new FakeWorker(gate));
  }

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
    if (hub != null) {
      hub.stop(0);
    }
  }

  static FederatedFineTune job(String ns, String name, String uri) {
    FederatedFineTune job = Jobs.job(ns, name, 1, "a");
    job.getSpec().getModel().setUri(uri);
    return job;
  }

  static String failedMessage(FederatedFineTune j) {
    return Conditions.find(j.getStatus().getConditions(), ConditionType.Failed).orElseThrow().getMessage();
  }

  static List<String> events(String ns, String job) {
    return client.v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> job.equals(e.getInvolvedObject().getName())).map(e -> e.getReason()).toList();
  }

  @Test
  void aFileModelWithoutArchitectureRunsOnItsConfigJson() {
    gate.hold("m-file/bert", "*", 1);
    FederatedFineTune job = job("m-file", "bert", "file:" + models.resolve("tiny-bert"));
    h.create(job);
    OperatorHarness.until("a worker pod", Duration.ofSeconds(20), () -> !workerPods("m-file").isEmpty());
    Pod pod = workerPods("m-file").get(0);
    String description = pod.getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> WorkerPodBuilder.ENV_JOB_DESCRIPTION.equals(e.getName())).findFirst().orElseThrow().getValue();
    assertEquals(BERT, JobDescriptionJson.read(description).model().architecture(),
        "the worker is told the shape config.json gave");
    gate.release("m-file/bert");
    FederatedFineTune done = h.awaitPhase("m-file", "bert", Phase.Succeeded, Duration.ofSeconds(30));
    ModelStatus st = done.getStatus().getModel();
    assertEquals(ModelStatus.Source.CONFIG_JSON, st.getSource());
    assertEquals("file:" + models.resolve("tiny-bert"), st.getUri());
    assertEquals(FederationJobMapper.architecture(BERT), st.getArchitecture());
    assertEquals(FederationJobMapper.layout(job.getSpec(), BERT).parameterCount(),
        done.getStatus().getCommunication().getParametersPerUpdate(), "the initial adapter is laid out on config.json's shape");
    assertTrue(events("m-file", "bert").contains("ModelRead"), events("m-file", "bert").toString());
  }

  @Test
  void aDeclaredArchitectureThatDiffersIsInvalidNamingEachField() {
    FederatedFineTune job = job("m-mismatch", "bert", "file:" + models.resolve("tiny-bert"));
    job.getSpec().getModel().setArchitecture(FederationJobMapper.architecture(ModelConfig.bert(32, 4, 128, 2, 30522,
        512, 2, 0)));
    h.create(job);
    FederatedFineTune failed = h.awaitPhase("m-mismatch", "bert", Phase.Failed, Duration.ofSeconds(20));
    assertEquals(Reason.InvalidSpec.name(), Conditions.find(failed.getStatus().getConditions(), ConditionType.Failed)
        .orElseThrow().getReason());
    assertEquals("spec.model.architecture: does not match the config.json of file:" + models.resolve("tiny-bert")
        + ": numLayers expected 4, found 2 (num_hidden_layers); intermediateSize expected 128, found 64"
        + " (intermediate_size) (leave spec.model.architecture out, or fix it)", failedMessage(failed));
    assertTrue(workerPods("m-mismatch").isEmpty());
  }

  @Test
  void anHfModelIsFetchedOnceAcrossReconcilesAndAnOperatorRestart() {
    gate.hold("m-hf/bert", "*", 2);
    FederatedFineTune job = job("m-hf", "bert", "hf:org/tiny-bert");
    job.getSpec().getRounds().setTotal(2);
    h.create(job);
    h.await("m-hf", "bert", j -> j.getStatus() != null && j.getStatus().getRound() != null
        && j.getStatus().getRound().getCompleted() == 1, "round 1 done", Duration.ofSeconds(30));
    long fetched = hubRequests.stream().filter(p -> p.startsWith("/org/tiny-bert/")).count();
    assertEquals(1, fetched, hubRequests.toString());
    h.restartOperator();
    gate.release("m-hf/bert");
    FederatedFineTune done = h.awaitPhase("m-hf", "bert", Phase.Succeeded, Duration.ofSeconds(40));
    assertEquals(1, hubRequests.stream().filter(p -> p.startsWith("/org/tiny-bert/")).count(),
        "status.model is the cache: " + hubRequests);
    assertEquals(ModelStatus.Source.CONFIG_JSON, done.getStatus().getModel().getSource());
    assertEquals(FederationJobMapper.layout(job.getSpec(), BERT).parameterCount(),
        done.getStatus().getCommunication().getParametersPerUpdate());
  }

  @Test
  void aMissingHfModelIsInvalid() {
    h.create(job("m-hf404", "nope", "hf:org/nope"));
    FederatedFineTune failed = h.awaitPhase("m-hf404", "nope", Phase.Failed, Duration.ofSeconds(20));
    assertTrue(failedMessage(failed).startsWith("spec.model.uri: GET http://127.0.0.1:"), failedMessage(failed));
    assertTrue(failedMessage(failed).contains("/org/nope/resolve/main/config.json answered HTTP 404"),
        failedMessage(failed));
  }

  @Test
  void aPvcModelIsReadByAProbePodThatIsThenDeleted() {
    String ns = "m-pvc";
    h.create(job(ns, "llama", "pvc:models/tiny-llama"));
    Pod probe = awaitProbe(ns, "llama-model-probe");
    FederatedFineTune probing = h.await(ns, "llama", j -> j.getStatus() != null && Conditions.find(
        j.getStatus().getConditions(), ConditionType.Running).filter(c -> Reason.ProbingModel.name()
        .equals(c.getReason())).isPresent(), "ProbingModel", Duration.ofSeconds(10));
    assertEquals(Phase.Pending, probing.getStatus().getPhase());
    var c = probe.getSpec().getContainers().get(0);
    assertEquals("probe:test", c.getImage());
    assertEquals(List.of("cat", ModelProbePodBuilder.MOUNT + "/tiny-llama/config.json"), c.getCommand());
    assertEquals("models", probe.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName());
    assertEquals(Boolean.TRUE, probe.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getReadOnly());
    assertEquals(Boolean.TRUE, c.getVolumeMounts().get(0).getReadOnly());
    assertTrue(workerPods(ns).isEmpty(), "no worker before the shape is known");

    serveLog(ns, "llama-model-probe", TINY_LLAMA);
    finish(ns, "llama-model-probe", "Succeeded", 0);
    FederatedFineTune done = h.awaitPhase(ns, "llama", Phase.Succeeded, Duration.ofSeconds(30));
    assertEquals(ModelStatus.Source.PROBE, done.getStatus().getModel().getSource());
    assertEquals(FederationJobMapper.architecture(LLAMA), done.getStatus().getModel().getArchitecture());
    assertEquals(FederationJobMapper.layout(done.getSpec(), LLAMA).parameterCount(),
        done.getStatus().getCommunication().getParametersPerUpdate());
    OperatorHarness.until("probe pod deleted", Duration.ofSeconds(10),
        () -> client.pods().inNamespace(ns).withName("llama-model-probe").get() == null);
    assertTrue(events(ns, "llama").contains(Reason.ProbingModel.name()), events(ns, "llama").toString());
  }

  @Test
  void aProbePodThatCannotReadTheFileMakesTheSpecInvalidWithItsOutput() {
    String ns = "m-pvc-missing";
    h.create(job(ns, "gone", "pvc:models/nowhere"));
    awaitProbe(ns, "gone-model-probe");
    serveLog(ns, "gone-model-probe", "cat: /fedtt/model/nowhere/config.json: No such file or directory\n");
    finish(ns, "gone-model-probe", "Failed", 1);
    FederatedFineTune failed = h.awaitPhase(ns, "gone", Phase.Failed, Duration.ofSeconds(20));
    assertEquals("spec.model.uri: the probe pod gone-model-probe could not read pvc:models/nowhere/config.json:"
        + " cat: /fedtt/model/nowhere/config.json: No such file or directory (Error: container probe exited with"
        + " code 1)", failedMessage(failed));
  }

  private static Pod awaitProbe(String ns, String name) {
    OperatorHarness.until("probe pod " + name, Duration.ofSeconds(20),
        () -> client.pods().inNamespace(ns).withName(name).get() != null);
    Pod p = client.pods().inNamespace(ns).withName(name).get();
    assertEquals(Labels.MODEL_PROBE, p.getMetadata().getLabels().get(Labels.COMPONENT));
    assertNotNull(p.getMetadata().getOwnerReferences());
    return p;
  }

  /** What the API server answers for the probe container's log (the mock runs no containers). */
  private static void serveLog(String ns, String pod, String log) {
    server.expect().get().withPath("/api/v1/namespaces/" + ns + "/pods/" + pod + "/log?pretty=false&container="
        + ModelProbePodBuilder.CONTAINER + "&limitBytes=" + (io.fedtt.core.model.HfConfig.MAX_BYTES + 1))
        .andReturn(200, log).always();
  }

  /** The kubelet's part: the probe container ran to completion with {@code exitCode}. */
  private static void finish(String ns, String pod, String phase, int exitCode) {
    Pod p = client.pods().inNamespace(ns).withName(pod).get();
    p.setStatus(new PodStatusBuilder().withPhase(phase).withContainerStatuses(new ContainerStatusBuilder()
        .withName(ModelProbePodBuilder.CONTAINER).withState(new ContainerStateBuilder().withNewTerminated()
            .withExitCode(exitCode).withReason(exitCode == 0 ? "Completed" : "Error").endTerminated().build())
        .build()).build());
    client.pods().inNamespace(ns).resource(p).updateStatus();
  }

  private static List<Pod> workerPods(String ns) {
    return client.pods().inNamespace(ns).withLabel(Labels.COMPONENT, Labels.WORKER).list().getItems();
  }
}
