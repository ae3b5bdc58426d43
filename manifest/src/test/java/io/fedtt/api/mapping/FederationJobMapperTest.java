package io.fedtt.api.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.v1alpha1.AdapterSpec;
import io.fedtt.api.v1alpha1.AdapterType;
import io.fedtt.api.v1alpha1.CommunicationEncoding;
import io.fedtt.api.v1alpha1.CommunicationSpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.AggregationRuleName;
import io.fedtt.api.v1alpha1.AggregationSpec;
import io.fedtt.api.v1alpha1.MethodSpec;
import io.fedtt.api.v1alpha1.ServerOptimizerSpec;
import io.fedtt.api.v1alpha1.ServerOptimizerType;
import io.fedtt.core.federation.strategy.ServerOptimizer;
import io.fedtt.core.federation.UpdateInfo;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.strategy.AggregationRule;
import io.fedtt.core.federation.strategy.FedAvg;
import io.fedtt.core.federation.strategy.Strategy;
import io.fedtt.core.job.JobDefaults;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.Sampling;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.job.JobDescription;
import io.fedtt.core.job.JobDescriptionJson;
import io.fedtt.core.wire.Encoding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FederationJobMapperTest {

    private static final Path VALID = Path.of("src/test/resources/manifests/valid");

    // Plain deserialization: the mapper must cope with absent optional fields (no defaults applied).
    private static FederatedFineTune load(String file) {
        try {
            return YAMLMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build()
                    .readValue(VALID.resolve(file).toFile(), FederatedFineTune.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void quickstartMapsToACrossSiloFedTtJob() {
        FederatedFineTune fft = load("quickstart.yaml");
        ModelConfig model = FederationJobMapper.builtinModel(fft.getSpec()).orElseThrow();
        assertEquals(384, model.hiddenSize());
        assertEquals(fft.getSpec().getModel().getLabels().size(), model.numLabels());

        FederationJobSpec job = FederationJobMapper.jobSpec(new JobId("default", "quickstart"), fft.getSpec(), model);
        assertEquals(fft.getSpec().getSilos().size(), job.participants().size());
        assertEquals(fft.getSpec().getSilos().get(0).getName(), job.participants().get(0).name());
        assertEquals(Sampling.Kind.ALL, job.sampling().kind());
        assertEquals(fft.getSpec().getRounds().getTotal(), job.rounds());
        assertEquals(fft.getSpec().getRounds().getLocalSteps(), job.localSteps());
        assertEquals(Duration.ofSeconds(fft.getSpec().getRounds().getRoundTimeoutSeconds()), job.roundTimeout());
        assertNull(job.freezing(), "FedTT trains every core");
        assertEquals(DType.F32, job.wireDType());

        AdapterLayout layout = AdapterLayout.of(model, AdapterConfig.tt().withTrainLayerNorm(JobDefaults.TRAIN_LAYER_NORM_TT));
        assertEquals(layout.parameterCount(), job.initialGlobal().parameterCount(),
                "the round-0 adapter is the default TT layout of the model (norms frozen)");
    }

    @Test
    void communicationEncodingReachesTheCoordinatorAndTheWorkersDescription() {
        FederatedFineTune fft = load("quickstart.yaml");
        ModelConfig model = FederationJobMapper.builtinModel(fft.getSpec()).orElseThrow();
        JobId id = new JobId("default", "quickstart");
        assertEquals(Encoding.FLOAT32, FederationJobMapper.jobSpec(id, fft.getSpec(), model).encoding());
        fft.getSpec().getAdapter().setWireDtype(io.fedtt.api.v1alpha1.WireDtype.BF16);
        assertEquals(Encoding.BFLOAT16, FederationJobMapper.encoding(fft.getSpec()), "the deprecated wireDtype still counts");
        CommunicationSpec c = new CommunicationSpec();
        c.setEncoding(CommunicationEncoding.INT8);
        fft.getSpec().setCommunication(c);
        fft.getSpec().getAdapter().setWireDtype(null);
        FederationJobSpec job = FederationJobMapper.jobSpec(id, fft.getSpec(), model);
        assertEquals(Encoding.INT8, job.encoding());
        assertEquals(DType.F32, job.wireDType(), "int8 has no safetensors dtype: plain clients would see F32");
        JobDescription d = JobDescriptions.forSilo(id, fft.getSpec(), fft.getSpec().getSilos().get(0).getName(), model);
        assertEquals(Encoding.INT8, d.training().encoding());
        assertEquals(d, JobDescriptionJson.read(JobDescriptionJson.write(d)), "the encoding survives the JSON");
    }

    @Test
    void fedTtPlusGetsItsFreezingPolicy() {
        FederatedFineTune fft = load("fedtt-plus-gpu.yaml");
        FederationJobSpec job = FederationJobMapper.jobSpec(new JobId("ns", "plus"), fft.getSpec(),
                ModelConfig.allMiniLmL6V2(fft.getSpec().getModel().getLabels().size()));
        assertNotNull(job.freezing());
        assertEquals(FederationJobMapper.freezingPolicyName(fft.getSpec().getMethod()), job.freezingName());
    }

    @Test
    void aggregationMapsToTheCoordinatorsRuleAndClaimLimit() {
        FederatedFineTune fft = load("robust-aggregation.yaml");
        ModelConfig model = FederationJobMapper.builtinModel(fft.getSpec()).orElseThrow();
        FederationJobSpec job = FederationJobMapper.jobSpec(new JobId("ns", "robust"), fft.getSpec(), model);
        assertEquals(new AggregationRule(AggregationRule.Kind.TRIMMED_MEAN, 0.25, 2.5), job.aggregation());
        assertEquals(5000, job.maxExamplesPerUpdate());
        Strategy s = CoordinatorOptions.defaults().strategyFor(job);
        assertEquals("trimmedMean(0.25)+clip(2.5)", s.name());
        assertNotNull(job.freezing(), "robust aggregation works with the FedTT+ mask");

        FederationJobSpec plain = FederationJobMapper.jobSpec(new JobId("default", "quickstart"),
                load("quickstart.yaml").getSpec(), model);
        assertEquals(AggregationRule.FEDAVG, plain.aggregation(), "no aggregation object: FedAvg, as before");
        assertEquals(UpdateInfo.MAX_EXAMPLES, plain.maxExamplesPerUpdate());
        assertInstanceOf(FedAvg.class, CoordinatorOptions.defaults().strategyFor(plain));

        AggregationSpec a = new AggregationSpec();
        a.setRule(AggregationRuleName.TRIMMED_MEAN);
        MethodSpec m = new MethodSpec();
        m.setAggregation(a);
        assertEquals(AggregationRule.trimmedMean(JobDefaults.AGGREGATION_TRIM_FRACTION), FederationJobMapper.aggregationRule(m));
        a.setRule(null);
        a.setClipNorm(1.0);
        assertEquals(AggregationRule.FEDAVG.withClipNorm(1.0), FederationJobMapper.aggregationRule(m),
                "the rule defaults to " + JobDefaults.AGGREGATION_RULE);
        assertEquals(AggregationRuleName.FEDAVG.wireName(), JobDefaults.AGGREGATION_RULE);
        assertEquals(AggregationRule.Kind.FEDAVG.wireName(), JobDefaults.AGGREGATION_RULE);
    }

    @Test
    void budgetBytesReachesTheCoordinatorAndUnsetMeansNone() {
        FederatedFineTune fft = load("quickstart.yaml");
        ModelConfig model = FederationJobMapper.builtinModel(fft.getSpec()).orElseThrow();
        JobId id = new JobId("default", "quickstart");
        assertEquals(0, FederationJobMapper.jobSpec(id, fft.getSpec(), model).budgetBytes());
        CommunicationSpec c = new CommunicationSpec();
        c.setBudgetBytes(5_000_000L);
        fft.getSpec().setCommunication(c);
        assertEquals(5_000_000L, FederationJobMapper.jobSpec(id, fft.getSpec(), model).budgetBytes());
    }

    @Test
    void differentialPrivacyMapsToTheCoordinatorAndLocalModeToTheWorkers() {
        FederatedFineTune central = load("differential-privacy.yaml");
        ModelConfig model = FederationJobMapper.builtinModel(central.getSpec()).orElseThrow();
        FederationJobSpec job = FederationJobMapper.jobSpec(new JobId("ns", "dp"), central.getSpec(), model);
        assertEquals(new io.fedtt.core.privacy.DifferentialPrivacy(io.fedtt.core.privacy.DifferentialPrivacy.Mode.CENTRAL,
                0.5, 1.0, 1e-6, 20), job.privacy());
        assertEquals("dp-fedavg(clip=0.5,z=1.0)+fedavgm", CoordinatorOptions.defaults().strategyFor(job).name());
        assertNull(JobDescriptions.localPrivacy(central.getSpec()), "central DP is the coordinator's: workers add no noise");

        FederatedFineTune local = load("local-differential-privacy.yaml");
        FederationJobSpec localJob = FederationJobMapper.jobSpec(new JobId("ns", "ldp"), local.getSpec(), model);
        assertEquals(io.fedtt.core.privacy.DifferentialPrivacy.local(0.5, 2.0), localJob.privacy(), "delta defaults to 1e-5");
        assertEquals("median", CoordinatorOptions.defaults().strategyFor(localJob).name(), "the server aggregates as usual");
        assertEquals(io.fedtt.core.privacy.DifferentialPrivacy.local(0.5, 2.0), JobDescriptions.localPrivacy(local.getSpec()));

        assertNull(FederationJobMapper.privacy(load("quickstart.yaml").getSpec()));
        assertEquals(io.fedtt.core.privacy.DifferentialPrivacy.Mode.CENTRAL.wireName(), JobDefaults.PRIVACY_MODE);
        assertEquals(io.fedtt.api.v1alpha1.PrivacyMode.CENTRAL.wireName(), JobDefaults.PRIVACY_MODE);
    }

    @Test
    void serverOptimizerMapsToTheStrategyAfterTheAggregationRule() {
        FederatedFineTune fft = load("server-optimizer.yaml");
        ModelConfig model = FederationJobMapper.builtinModel(fft.getSpec()).orElseThrow();
        FederationJobSpec job = FederationJobMapper.jobSpec(new JobId("ns", "opt"), fft.getSpec(), model);
        assertEquals(new ServerOptimizer(ServerOptimizer.Kind.FEDADAM, 0.02, 0.9, 0.99, 1e-3), job.serverOptimizer());
        assertEquals("trimmedMean(0.25)+clip(2.5)+fedadam", CoordinatorOptions.defaults().strategyFor(job).name());

        FederationJobSpec plain = FederationJobMapper.jobSpec(new JobId("default", "quickstart"),
                load("quickstart.yaml").getSpec(), model);
        assertEquals(ServerOptimizer.FEDAVG, plain.serverOptimizer(), "no serverOptimizer object: FedAvg, as before");

        ServerOptimizerSpec o = new ServerOptimizerSpec();
        MethodSpec m = new MethodSpec();
        m.setServerOptimizer(o);
        assertEquals(ServerOptimizer.FEDAVG, FederationJobMapper.serverOptimizer(m), "the type defaults to fedavg");
        o.setType(ServerOptimizerType.FEDAVGM);
        assertEquals(ServerOptimizer.defaults(ServerOptimizer.Kind.FEDAVGM), FederationJobMapper.serverOptimizer(m));
        assertEquals(1.0, FederationJobMapper.serverOptimizer(m).learningRate());
        o.setType(ServerOptimizerType.FEDYOGI);
        assertEquals(0.01, FederationJobMapper.serverOptimizer(m).learningRate(), "adaptive optimizers default to 1e-2");
        for (ServerOptimizerType t : ServerOptimizerType.values()) {
            assertEquals(t.wireName(), ServerOptimizer.Kind.parse(t.wireName()).wireName());
        }
        assertEquals(ServerOptimizerType.FEDAVG.wireName(), JobDefaults.SERVER_OPTIMIZER);
    }

    @Test
    void theLearningRateDecaysOverTheRoundsOfCrossDeviceJobsUnlessTold() {
        FederatedFineTune devices = load("cross-device.yaml");
        ModelConfig model = FederationJobMapper.builtinModel(devices.getSpec()).orElseThrow();
        FederationJobSpec job = FederationJobMapper.jobSpec(new JobId("ns", "cd"), devices.getSpec(), model);
        assertEquals(io.fedtt.core.federation.strategy.RoundDecay.COSINE, job.learningRateDecay(),
                "cross-device default: " + JobDefaults.LEARNING_RATE_DECAY_CROSS_DEVICE);
        FederationJobSpec silos = FederationJobMapper.jobSpec(new JobId("default", "quickstart"),
                load("quickstart.yaml").getSpec(), model);
        assertEquals(io.fedtt.core.federation.strategy.RoundDecay.CONSTANT, silos.learningRateDecay(),
                "cross-silo default: " + JobDefaults.LEARNING_RATE_DECAY_CROSS_SILO);
        devices.getSpec().getRounds().setLearningRateDecay(io.fedtt.api.v1alpha1.LearningRateDecay.CONSTANT);
        assertEquals(io.fedtt.core.federation.strategy.RoundDecay.CONSTANT,
                FederationJobMapper.learningRateDecay(devices.getSpec()), "as written");
        for (io.fedtt.api.v1alpha1.LearningRateDecay d : io.fedtt.api.v1alpha1.LearningRateDecay.values()) {
            assertEquals(d.wireName(), io.fedtt.core.federation.strategy.RoundDecay.parse(d.wireName()).wireName());
        }
    }

    @Test
    void logitAdjustmentIsOnForCrossDeviceClassifiersUnlessTold() {
        FederatedFineTune devices = load("cross-device.yaml");
        assertEquals(JobDefaults.LOGIT_ADJUSTMENT_CROSS_DEVICE, FederationJobMapper.logitAdjustment(devices.getSpec()));
        assertEquals(JobDefaults.LOGIT_ADJUSTMENT_CROSS_SILO,
                FederationJobMapper.logitAdjustment(load("quickstart.yaml").getSpec()));
        assertEquals(0.0, FederationJobMapper.logitAdjustment(load("causal-lm-cross-device-by-user.yaml").getSpec()), "causal-lm: no labels");
        devices.getSpec().setMethod(new io.fedtt.api.v1alpha1.MethodSpec());
        devices.getSpec().getMethod().setLogitAdjustment(0.0);
        assertEquals(0.0, FederationJobMapper.logitAdjustment(devices.getSpec()), "as written");
        devices.getSpec().getMethod().setLogitAdjustment(0.5);
        JobDescription d = JobDescriptions.forSimulation(new JobId("ns", "cd"), devices.getSpec());
        assertEquals(0.5, d.training().logitAdjustment(), "the workers' job description carries it");
    }

    @Test
    void proximalMuMapsToTheJobAndTravelsInEveryRoundTask() {
        FederatedFineTune fft = load("server-optimizer.yaml");
        ModelConfig model = FederationJobMapper.builtinModel(fft.getSpec()).orElseThrow();
        FederationJobSpec job = FederationJobMapper.jobSpec(new JobId("ns", "prox"), fft.getSpec(), model);
        assertEquals(0.01, job.proximalMu());
        assertEquals(0.01, io.fedtt.core.federation.strategy.TaskConfig.of(job).proximalMu(),
                "the round's task carries it to the workers");

        FederationJobSpec plain = FederationJobMapper.jobSpec(new JobId("default", "quickstart"),
                load("quickstart.yaml").getSpec(), model);
        assertEquals(0.0, plain.proximalMu(), "no proximalMu: plain local training");
        assertEquals(JobDefaults.PROXIMAL_MU, FederationJobMapper.proximalMu(null));
        MethodSpec m = new MethodSpec();
        assertEquals(0.0, FederationJobMapper.proximalMu(m));
        m.setProximalMu(0.5);
        assertEquals(0.5, FederationJobMapper.proximalMu(m));
        m.setProximalMu(-1.0); // only a resource that skipped validation gets here
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FederationJobMapper.proximalMu(m));
        assertTrue(e.getMessage().contains("spec.method.proximalMu"), e.getMessage());
    }

    @Test
    void crossDeviceRegistersEveryDeviceAndSamplesPerRound() {
        FederatedFineTune fft = load("cross-device.yaml");
        FederationJobSpec job = FederationJobMapper.jobSpec(new JobId("ns", "devices"), fft.getSpec(),
                ModelConfig.allMiniLmL6V2(fft.getSpec().getModel().getLabels().size()));
        assertEquals(fft.getSpec().getDevices().getCount(), job.participants().size());
        assertTrue(job.crossDevice());
        assertEquals("device-00000", job.participants().get(0).name());
        assertTrue(job.perRound() < job.participants().size());
    }

    @Test
    void loraManifestMapsToTheLoraBaseline() {
        FederatedFineTune fft = load("lora-csv-gz.yaml");
        AdapterConfig a = FederationJobMapper.adapterConfig(fft.getSpec().getAdapter());
        assertEquals(AdapterConfig.Type.LORA, a.type());
    }

    @Test
    void adapterBiasesTakeTheTtDefaultUnlessGiven() {
        assertEquals(JobDefaults.ADAPTER_BIAS_TT_TEXT, JobDefaults.ADAPTER_BIAS_TT.name().toLowerCase(java.util.Locale.ROOT),
                "the CRD's default text and the mapper's default agree");
        assertEquals(JobDefaults.ADAPTER_BIAS_TT, FederationJobMapper.adapterConfig(null).adapterBias());
        io.fedtt.api.v1alpha1.AdapterSpec a = new io.fedtt.api.v1alpha1.AdapterSpec();
        assertEquals(JobDefaults.ADAPTER_BIAS_TT, FederationJobMapper.adapterConfig(a).adapterBias());
        for (var b : io.fedtt.api.v1alpha1.AdapterBias.values()) {
            a.setAdapterBias(b);
            assertEquals(b.name(), FederationJobMapper.adapterConfig(a).adapterBias().name());
        }
    }

    @Test
    void learningRatesAndHeadAreMethodAwareWhenLeftOut() {
        FederatedFineTune fft = load("quickstart.yaml");
        var spec = fft.getSpec();
        spec.getRounds().setLearningRate(null);
        spec.setAdapter(null);
        assertEquals(JobDefaults.LEARNING_RATE_TT, FederationJobMapper.learningRate(spec));
        assertEquals(JobDefaults.LEARNING_RATE_TT * JobDefaults.HEAD_LEARNING_RATE_FACTOR_TT,
                FederationJobMapper.headLearningRate(spec), 1e-12);
        assertEquals(AdapterConfig.Head.LINEAR, FederationJobMapper.adapterConfig(spec.getAdapter()).head());

        io.fedtt.api.v1alpha1.AdapterSpec lora = new io.fedtt.api.v1alpha1.AdapterSpec();
        lora.setType(io.fedtt.api.v1alpha1.AdapterType.LORA);
        spec.setAdapter(lora);
        assertEquals(JobDefaults.LEARNING_RATE_LORA, FederationJobMapper.learningRate(spec));
        assertEquals(AdapterConfig.Head.DENSE, FederationJobMapper.adapterConfig(lora).head());
        FederationJobSpec job = FederationJobMapper.jobSpec(new JobId("ns", "lora"), spec,
                ModelConfig.allMiniLmL6V2(spec.getModel().getLabels().size()));
        assertEquals(JobDefaults.LEARNING_RATE_LORA, job.learningRate());

        // Given values win; the head's default follows a given learning rate.
        spec.getRounds().setLearningRate(2e-4);
        assertEquals(2e-4 * JobDefaults.HEAD_LEARNING_RATE_FACTOR_LORA, FederationJobMapper.headLearningRate(spec), 1e-12);
        spec.getRounds().setHeadLearningRate(7e-3);
        assertEquals(7e-3, FederationJobMapper.headLearningRate(spec));
        lora.setHead(io.fedtt.api.v1alpha1.AdapterHead.TT);
        assertEquals(AdapterConfig.Head.TT, FederationJobMapper.adapterConfig(lora).head());
    }

    @Test
    void modelConfigIsTheBuiltinPresetOrTheDeclaredArchitecture() {
        FederatedFineTune quickstart = load("quickstart.yaml");
        assertEquals(FederationJobMapper.builtinModel(quickstart.getSpec()),
                FederationJobMapper.modelConfig(quickstart.getSpec()));

        // Only the required sizes are given; family (BERT), maxPositions (512) and typeVocabSize (2) take their defaults.
        FederatedFineTune own = load("pvc-model-with-architecture.yaml");
        assertEquals(Optional.empty(), FederationJobMapper.builtinModel(own.getSpec()));
        assertEquals(Optional.of(ModelConfig.bert(32, 2, 64, 2, 30522, 512, 2, 2)),
                FederationJobMapper.modelConfig(own.getSpec()));

        FederatedFineTune hf = load("fedtt-plus-gpu.yaml");
        assertEquals(Optional.of(ModelConfig.allMiniLmL6V2(2)), FederationJobMapper.modelConfig(hf.getSpec()));
    }

    @Test
    void architectureIsTheInverseOfModelConfig() {
        FederatedFineTune fft = load("pvc-model-with-architecture.yaml");
        ModelConfig tiny = ModelConfig.bert(32, 2, 64, 2, 30522, 128, 1, 2);
        fft.getSpec().getModel().setArchitecture(FederationJobMapper.architecture(tiny));
        assertEquals(Optional.of(tiny), FederationJobMapper.modelConfig(fft.getSpec()));
    }

    @Test
    void llamaFamilyArchitectureAndTtProjectionsAreMapped() {
        FederatedFineTune fft = load("llama3-8b-gqa-tt-deltas.yaml");
        // typeVocabSize left out: 0 for LLAMA (2 is BERT's default); tieWordEmbeddings false, attentionBias absent
        assertEquals(Optional.of(ModelConfig.llama3_8b().withNumLabels(2)), FederationJobMapper.modelConfig(fft.getSpec()));
        AdapterConfig a = FederationJobMapper.adapterConfig(fft.getSpec().getAdapter());
        assertEquals(List.of("q_proj", "v"), a.ttProjections());
        AdapterLayout l = FederationJobMapper.layout(fft.getSpec(), ModelConfig.llama3_8b());
        assertEquals(1024, l.ttLayer("model.layers.31.self_attn.v_proj.tt_delta").out());
        // the mapper passes one modes list to down and up only; deltas keep the balanced factorization
        assertEquals(List.of(16, 16, 16, 4, 4, 4), a.modes().get("up"));
        assertEquals(null, a.modes().get("delta"));
        // FEDTT.md's 876,800 less its 266,240 norm values (frozen by default), 32 x (1,280 + 1,280) for the
        // two deltas, and the 2 labels' score head 2 x 4096
        assertEquals(876_800L - 266_240L + 81_920L + 8_192L, l.parameterCount());

        ModelConfig qwen = new ModelConfig(ModelConfig.Family.LLAMA, 896, 24, 4864, 14, 2, 151_936, 32_768, 0, true,
                true, 2);
        fft.getSpec().getModel().setArchitecture(FederationJobMapper.architecture(qwen));
        assertEquals(Optional.of(qwen), FederationJobMapper.modelConfig(fft.getSpec()));
        assertEquals(2, fft.getSpec().getModel().getArchitecture().getNumKeyValueHeads());
        // a lora adapter ignores ttProjections
        AdapterSpec lora = new AdapterSpec();
        lora.setType(AdapterType.LORA);
        lora.setTtProjections(List.of("q_proj"));
        assertEquals(List.of(), FederationJobMapper.adapterConfig(lora).ttProjections());
    }

    @Test
    void modelConfigIsEmptyForAnUnknownBuiltinWithoutArchitecture() {
        FederatedFineTune fft = load("quickstart.yaml");
        fft.getSpec().getModel().setUri("builtin:bert-large");
        assertEquals(Optional.empty(), FederationJobMapper.modelConfig(fft.getSpec()));
    }
}
