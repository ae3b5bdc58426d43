package io.fedtt.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fedtt.api.TestFiles;
import io.fedtt.api.v1alpha1.AdapterInit;
import io.fedtt.api.v1alpha1.AdapterType;
import io.fedtt.api.v1alpha1.Algorithm;
import io.fedtt.api.v1alpha1.CleanPodPolicy;
import io.fedtt.api.v1alpha1.DataFormat;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.FreezingPolicyName;
import io.fedtt.api.v1alpha1.ModelSpec;
import io.fedtt.api.v1alpha1.PartitionBy;
import io.fedtt.api.v1alpha1.RoundsSpec;
import io.fedtt.api.v1alpha1.SiloData;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.api.v1alpha1.Task;
import io.fedtt.api.v1alpha1.WireDtype;
import java.util.List;
import org.junit.jupiter.api.Test;

/** load(): the typed resource with the API server's defaults, or every problem at once. */
class LoadTest {
  final ManifestValidator validator = ManifestValidator.standard();

  @Test
  void quickstartWithDefaults() {
    FederatedFineTune fft = validator.load(TestFiles.manifest("valid/quickstart.yaml"));
    assertEquals("quickstart", fft.getMetadata().getName());
    FederatedFineTuneSpec spec = fft.getSpec();
    assertEquals("builtin:all-minilm-l6-v2", spec.getModel().getUri());
    assertEquals(Task.SEQUENCE_CLASSIFICATION, spec.getModel().getTask());
    assertEquals(List.of("ham", "spam"), spec.getModel().getLabels());
    assertEquals(AdapterType.TT, spec.getAdapter().getType());
    assertEquals(5, spec.getAdapter().getTtRank());
    assertEquals(AdapterInit.IDENTITY, spec.getAdapter().getInit());
    assertEquals(Boolean.FALSE, spec.getAdapter().getTrainLayerNorm(), "frozen by default");
    assertEquals(8, spec.getAdapter().getRank());
    assertEquals(List.of("query", "value"), spec.getAdapter().getTargets());
    assertEquals(16.0, spec.getAdapter().getAlpha());
    assertEquals(WireDtype.F32, spec.getAdapter().getWireDtype());
    assertEquals(Algorithm.FED_TT, spec.getMethod().getAlgorithm());
    assertNull(spec.getMethod().getFreezing());
    RoundsSpec rounds = spec.getRounds();
    assertEquals(10, rounds.getTotal());
    assertEquals(30, rounds.getLocalSteps());
    assertNull(rounds.getLocalEpochs());
    assertEquals(5.0e-4, rounds.getLearningRate());
    assertEquals(7L, rounds.getSeed());
    assertEquals(2, rounds.getMaxRoundRetries());
    assertEquals(1, rounds.getEvaluateEvery());
    assertEquals(0.0, rounds.getWeightDecay());
    assertNull(rounds.getTargetAccuracy());
    assertEquals(DataFormat.AUTO, spec.getData().getFormat());
    assertEquals(3, spec.getSilos().size());
    assertEquals("file:data/eval.jsonl", spec.getSilos().get(2).getData().getEval());
    assertEquals(Boolean.FALSE, spec.getSuspend());
    assertEquals(3, spec.getRunPolicy().getBackoffLimit());
    assertEquals(CleanPodPolicy.ALL, spec.getRunPolicy().getCleanPodPolicy());
    assertNull(spec.getDevices());
    assertNull(fft.getStatus());
  }

  @Test
  void causalLmWithDefaults() {
    FederatedFineTuneSpec spec = validator.load(TestFiles.manifest("valid/causal-lm-instruction-tuning.yaml")).getSpec();
    assertEquals(Task.CAUSAL_LM, spec.getModel().getTask());
    assertNull(spec.getModel().getLabels());
    assertEquals("prompt", spec.getData().getPromptField());
    assertEquals("response", spec.getData().getResponseField());
    assertEquals("text", spec.getData().getTextField(), "every data field is defaulted, whatever the task");
    FederatedFineTuneSpec quickstart = validator.load(TestFiles.manifest("valid/quickstart.yaml")).getSpec();
    assertEquals("prompt", quickstart.getData().getPromptField());
  }

  @Test
  void crossDeviceDefaults() {
    FederatedFineTune fft = validator.load(TestFiles.manifest("valid/cross-device.yaml"));
    assertEquals(PartitionBy.DIRICHLET, fft.getSpec().getDevices().getPartition().getBy());
    assertEquals(0.5, fft.getSpec().getDevices().getPartition().getAlpha());
    assertEquals(2, fft.getSpec().getDevices().getWorkers());
    assertEquals(1, fft.getSpec().getRounds().getMinSilos()); // defaulted even in cross-device mode
  }

  @Test
  void kubernetesTypesAreTyped() {
    FederatedFineTune fft = validator.load(TestFiles.manifest("valid/fedtt-plus-gpu.yaml"));
    SiloSpec silo = fft.getSpec().getSilos().get(0);
    assertEquals(new Quantity("1"), silo.getResources().getLimits().get("nvidia.com/gpu"));
    assertEquals("NoSchedule", silo.getTolerations().get(0).getEffect());
    assertEquals("data-a", silo.getVolumes().get(0).getPersistentVolumeClaim().getClaimName());
    assertEquals("/data", silo.getVolumeMounts().get(0).getMountPath());
    assertEquals("site-a", silo.getNodeSelector().get("topology.kubernetes.io/zone"));
    assertEquals("ghcr.io/example/fedtt-worker:0.1.0",
        fft.getSpec().getWorkerTemplate().getSpec().getContainers().get(0).getImage());
    assertEquals(FreezingPolicyName.ADAPTIVE, fft.getSpec().getMethod().getFreezing().getPolicy());
    assertEquals(Algorithm.FED_TT_PLUS, fft.getSpec().getMethod().getAlgorithm());
    assertEquals(List.of(8, 8, 6, 8, 8), fft.getSpec().getAdapter().getModes());
  }

  @Test
  void invalidManifestThrowsWithEveryProblem() {
    InvalidManifestException e = assertThrows(InvalidManifestException.class,
        () -> validator.load(TestFiles.manifest("invalid/both-local-steps-and-epochs.yaml")));
    assertEquals(List.of(new Problem("spec.rounds", "set exactly one of localSteps or localEpochs")), e.problems());
    assertTrue(e.getMessage().contains("spec.rounds: set exactly one of localSteps or localEpochs"), e.getMessage());
  }

  @Test
  void resourceBuiltInCodeGetsDefaultsAndIsNotModified() {
    FederatedFineTune built = new FederatedFineTune();
    built.setMetadata(new ObjectMetaBuilder().withName("in-code").withNamespace("ns").build());
    FederatedFineTuneSpec spec = new FederatedFineTuneSpec();
    ModelSpec model = new ModelSpec();
    model.setUri("builtin:all-minilm-l6-v2");
    model.setLabels(List.of("neg", "pos"));
    spec.setModel(model);
    RoundsSpec rounds = new RoundsSpec();
    rounds.setTotal(2);
    rounds.setLocalSteps(3);
    spec.setRounds(rounds);
    SiloSpec silo = new SiloSpec();
    silo.setName("only");
    SiloData data = new SiloData();
    data.setTrain("pvc:claim/train.jsonl");
    silo.setData(data);
    spec.setSilos(List.of(silo));
    built.setSpec(spec);

    assertEquals(List.of(), validator.validate(built));
    FederatedFineTune loaded = validator.load(built);
    assertEquals(AdapterType.TT, loaded.getSpec().getAdapter().getType());
    assertEquals(128, loaded.getSpec().getModel().getMaxSequenceLength());
    assertEquals(16, loaded.getSpec().getRounds().getBatchSize());
    assertNull(built.getSpec().getAdapter(), "the input is left alone");
    assertEquals("ns", loaded.getMetadata().getNamespace());

    rounds.setMinSilos(2);
    assertEquals(List.of(new Problem("spec.rounds.minSilos", "rounds.minSilos must not exceed the number of silos")),
        validator.validate(built));
  }

  @Test
  void statusIsAcceptedOnResourcesFromTheServer() {
    FederatedFineTune fft = validator.load(TestFiles.manifest("valid/quickstart.yaml"));
    var status = new io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus();
    status.setCondition(io.fedtt.api.v1alpha1.status.ConditionType.Running, true,
        io.fedtt.api.v1alpha1.status.Reason.RoundInProgress, "round 1", 1L, java.time.Instant.EPOCH);
    var round = new io.fedtt.api.v1alpha1.status.RoundStatus();
    round.setCompleted(0);
    round.setTotal(10);
    status.setRound(round);
    fft.setStatus(status);
    assertEquals(List.of(), validator.validate(fft));
    assertFalse(validator.load(fft).getStatus().getConditions().isEmpty());
  }
}
