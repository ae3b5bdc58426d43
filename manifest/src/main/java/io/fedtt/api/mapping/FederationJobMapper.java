package io.fedtt.api.mapping;

import io.fedtt.api.v1alpha1.AdapterInit;
import io.fedtt.api.v1alpha1.AdapterSpec;
import io.fedtt.api.v1alpha1.AdapterType;
import io.fedtt.api.v1alpha1.AggregationSpec;
import io.fedtt.api.v1alpha1.Algorithm;
import io.fedtt.api.v1alpha1.CommunicationSpec;
import io.fedtt.api.v1alpha1.DevicesSpec;
import io.fedtt.api.v1alpha1.DifferentialPrivacySpec;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.FreezingPolicyName;
import io.fedtt.api.v1alpha1.FreezingSpec;
import io.fedtt.api.v1alpha1.LearningRateDecay;
import io.fedtt.api.v1alpha1.MethodSpec;
import io.fedtt.api.v1alpha1.ModelArchitecture;
import io.fedtt.api.v1alpha1.ModelFamily;
import io.fedtt.api.v1alpha1.RoundsSpec;
import io.fedtt.api.v1alpha1.SecureAggregationSpec;
import io.fedtt.api.v1alpha1.ServerOptimizerSpec;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.api.v1alpha1.Task;
import io.fedtt.api.v1alpha1.WireDtype;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.Participant;
import io.fedtt.core.federation.Sampling;
import io.fedtt.core.federation.strategy.AggregationRule;
import io.fedtt.core.federation.strategy.RoundDecay;
import io.fedtt.core.federation.strategy.ServerOptimizer;
import io.fedtt.core.freeze.FreezingConfig;
import io.fedtt.core.freeze.FreezingPolicies;
import io.fedtt.core.job.JobDefaults;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.privacy.secagg.SecureAggregation;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.wire.Encoding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a {@code FederatedFineTune} spec into the coordinator's plain {@link FederationJobSpec} and the
 * adapter layout it trains. The operator and {@code fedtt simulate} both call this, so the same
 * manifest means the same job in both. Absent optional fields take the CRD's defaults, which are
 * {@link JobDefaults}'. A worker's side of the job is {@link JobDescriptions}'.
 */
public final class FederationJobMapper {

    /** The default built-in model: sentence-transformers/all-MiniLM-L6-v2, shipped in a jar. */
    public static final String BUILTIN_MINILM = "builtin:all-minilm-l6-v2";
    /** SmolLM2-135M-Instruct, a LLaMA-family decoder prepared by tools/models/smollm2/fetch.sh. */
    public static final String BUILTIN_SMOLLM2 = "builtin:smollm2-135m-instruct";
    /** The built-in models and their shapes (labels aside). */
    public static final Map<String, ModelConfig> BUILTIN_MODELS = Map.of(
            BUILTIN_MINILM, ModelConfig.allMiniLmL6V2(0),
            BUILTIN_SMOLLM2, ModelConfig.smolLm2_135m());

    private FederationJobMapper() {}

    /** {@code spec.model.task}, defaulted: {@link Task#SEQUENCE_CLASSIFICATION} when absent. */
    public static Task task(FederatedFineTuneSpec spec) {
        Task t = spec.getModel() == null ? null : spec.getModel().getTask();
        return t == null ? Task.SEQUENCE_CLASSIFICATION : t;
    }

    /** Whether the job is {@link Task#CAUSAL_LM}: prompt/response data, no labels, no classification head. */
    public static boolean causalLm(FederatedFineTuneSpec spec) {
        return task(spec) == Task.CAUSAL_LM;
    }

    /** {@code spec.model.labels}, empty when absent (a causal-lm job has none). */
    public static List<String> labels(FederatedFineTuneSpec spec) {
        List<String> l = spec.getModel() == null ? null : spec.getModel().getLabels();
        return l == null ? List.of() : l;
    }

    /** The classification head's outputs: the number of labels; 0 (no head) for a causal-lm job. */
    public static int numLabels(FederatedFineTuneSpec spec) {
        return causalLm(spec) ? 0 : labels(spec).size();
    }

    /** The architecture of a built-in model, without loading it; empty for other URIs. */
    public static Optional<ModelConfig> builtinModel(FederatedFineTuneSpec spec) {
        String uri = spec.getModel().getUri();
        return Optional.ofNullable(uri == null ? null : BUILTIN_MODELS.get(uri.toLowerCase(java.util.Locale.ROOT)))
                .map(m -> m.withNumLabels(numLabels(spec)));
    }

    /**
     * The model's architecture as the manifest alone tells it: {@code spec.model.architecture} when given,
     * else the built-in model's; empty when neither is known (a model named by file:, pvc:, hf: or https:
     * without an architecture, whose config.json says: {@link ModelShapes}, or an unknown {@code builtin:}
     * name). Workers check the model they load against the architecture they are given, so a wrong
     * declaration fails there with the field named.
     */
    public static Optional<ModelConfig> modelConfig(FederatedFineTuneSpec spec) {
        ModelArchitecture a = spec.getModel().getArchitecture();
        if (a == null) {
            return builtinModel(spec);
        }
        return Optional.of(modelConfig(a, numLabels(spec)));
    }

    /** A declared architecture as the core's model description, its defaults applied. */
    public static ModelConfig modelConfig(ModelArchitecture a, int numLabels) {
        ModelConfig.Family family = switch (a.getFamily() == null ? ModelFamily.BERT : a.getFamily()) {
            case BERT -> ModelConfig.Family.BERT;
            case LLAMA -> ModelConfig.Family.LLAMA;
        };
        boolean bert = family == ModelConfig.Family.BERT;
        int heads = required(a.getNumHeads(), "numHeads");
        Integer positions = a.getMaxPositions();
        if (positions == null && !bert) {
            throw new IllegalArgumentException("model.architecture.maxPositions is required for family LLAMA");
        }
        return new ModelConfig(family, required(a.getHiddenSize(), "hiddenSize"),
                required(a.getNumLayers(), "numLayers"), required(a.getIntermediateSize(), "intermediateSize"),
                heads, or(a.getNumKeyValueHeads(), heads), required(a.getVocabSize(), "vocabSize"),
                or(positions, JobDefaults.MAX_POSITIONS),
                or(a.getTypeVocabSize(), bert ? JobDefaults.TYPE_VOCAB_SIZE : 0),
                or(a.getTieWordEmbeddings(), false), or(a.getAttentionBias(), false),
                numLabels);
    }

    /**
     * Why {@code spec.model.uri} cannot be loaded, known without reading anything (empty when it may be):
     * a {@code builtin:} name that is not built in. Check this before reading any data: a wrong model name
     * should not cost a pass over the data. (Other models' shapes come from their config.json:
     * {@link ModelShapes}.)
     */
    public static Optional<String> modelProblem(FederatedFineTuneSpec spec) {
        String uri = spec.getModel() == null ? null : spec.getModel().getUri();
        if (uri == null) {
            return Optional.of("required field is missing");
        }
        if (uri.regionMatches(true, 0, "builtin:", 0, "builtin:".length()) && !BUILTIN_MODELS.containsKey(uri)) {
            return Optional.of("'" + uri + "' is not a built-in model; the built-in models are "
                    + new java.util.TreeSet<>(BUILTIN_MODELS.keySet())
                    + " (another model: file:, pvc:, https: or hf:)");
        }
        return Optional.empty();
    }

    /**
     * Why the job cannot run on a model of this shape, known before anything loads (empty when it can):
     * a causal-lm job needs a LLaMA-family decoder. (The adapter's layout on the model is checked by
     * {@code ManifestValidator.modelProblems}.)
     */
    public static Optional<String> familyProblem(FederatedFineTuneSpec spec, ModelConfig model) {
        if (causalLm(spec) && model.family() != ModelConfig.Family.LLAMA) {
            return Optional.of("causal-lm needs a LLAMA-family model; " + spec.getModel().getUri() + " is "
                    + model.family() + "-family (config.json model_type)");
        }
        return Optional.empty();
    }

    /** The inverse of {@link #modelConfig}: a model's shape as a manifest declares it (labels are not part of it). */
    public static ModelArchitecture architecture(ModelConfig m) {
        ModelArchitecture a = new ModelArchitecture();
        a.setFamily(switch (m.family()) {
            case BERT -> ModelFamily.BERT;
            case LLAMA -> ModelFamily.LLAMA;
        });
        a.setHiddenSize(m.hiddenSize());
        a.setNumLayers(m.numLayers());
        a.setIntermediateSize(m.intermediateSize());
        a.setNumHeads(m.numHeads());
        if (m.numKeyValueHeads() != m.numHeads()) {
            a.setNumKeyValueHeads(m.numKeyValueHeads());
        }
        a.setVocabSize(m.vocabSize());
        a.setMaxPositions(m.maxPositions());
        a.setTypeVocabSize(m.typeVocabSize());
        if (m.tieWordEmbeddings()) {
            a.setTieWordEmbeddings(true);
        }
        if (m.attentionBias()) {
            a.setAttentionBias(true);
        }
        return a;
    }

    private static int required(Integer value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("model.architecture." + field + " is required");
        }
        return value;
    }

    public static AdapterConfig adapterConfig(AdapterSpec a) {
        AdapterType type = a == null || a.getType() == null ? AdapterType.TT : a.getType();
        AdapterConfig base = switch (type) {
            case TT -> AdapterConfig.tt(or(a == null ? null : a.getTtRank(), JobDefaults.TT_RANK),
                    or(a == null ? null : a.getBottleneck(), JobDefaults.BOTTLENECK))
                    .withTrainLayerNorm(JobDefaults.TRAIN_LAYER_NORM_TT)
                    .withAdapterBias(JobDefaults.ADAPTER_BIAS_TT);
            case LORA -> AdapterConfig.lora(or(a.getRank(), JobDefaults.LORA_RANK),
                    a.getTargets() == null ? AdapterConfig.DEFAULT_LORA_TARGETS : a.getTargets());
            case FULL -> AdapterConfig.full();
        };
        if (a == null) {
            return base;
        }
        if (type == AdapterType.TT) {
            if (a.getInit() == AdapterInit.LORETTA) {
                base = base.withInit(AdapterConfig.Init.LORETTA);
            }
            if (a.getTrainLayerNorm() != null) {
                base = base.withTrainLayerNorm(a.getTrainLayerNorm());
            }
            if (a.getAdapterBias() != null) {
                base = base.withAdapterBias(AdapterConfig.AdapterBias.valueOf(a.getAdapterBias().name()));
            }
            if (a.getModes() != null && !a.getModes().isEmpty()) {
                // down [hidden, b] and up [b, hidden] have the same element count: one list serves both.
                base = base.withModes(Map.of("down", a.getModes(), "up", a.getModes()));
            }
            if (a.getTtProjections() != null) {
                base = base.withTtProjections(a.getTtProjections());
            }
        }
        if (type == AdapterType.LORA && a.getAlpha() != null) {
            base = base.withLoraAlpha(a.getAlpha());
        }
        if (a.getHead() != null) {
            base = base.withHead(AdapterConfig.Head.valueOf(a.getHead().name()));
        }
        return base;
    }

    /** The local steps' peak learning rate: spec.rounds.learningRate, else the adapter type's default. */
    public static double learningRate(FederatedFineTuneSpec spec) {
        Double given = spec.getRounds() == null ? null : spec.getRounds().getLearningRate();
        return given != null ? given : JobDefaults.learningRate(adapterConfig(spec.getAdapter()).type());
    }

    /** The classification head's: spec.rounds.headLearningRate, else the learning rate times the type's factor. */
    public static double headLearningRate(FederatedFineTuneSpec spec) {
        Double given = spec.getRounds() == null ? null : spec.getRounds().getHeadLearningRate();
        return given != null ? given : learningRate(spec) * headRateFactor(spec);
    }

    /** The head's rate over the learning rate, as workers apply it to each round's (possibly decayed) rate. */
    public static double headRateFactor(FederatedFineTuneSpec spec) {
        Double given = spec.getRounds() == null ? null : spec.getRounds().getHeadLearningRate();
        return given != null ? given / learningRate(spec)
                : JobDefaults.headLearningRateFactor(adapterConfig(spec.getAdapter()).type());
    }

    public static AdapterLayout layout(FederatedFineTuneSpec spec, ModelConfig model) {
        return AdapterLayout.of(model.withNumLabels(numLabels(spec)), adapterConfig(spec.getAdapter()));
    }

    public static DType wireDType(FederatedFineTuneSpec spec) {
        WireDtype w = spec.getAdapter() == null ? null : spec.getAdapter().getWireDtype();
        return w == null ? DType.F32 : DType.valueOf(w.name());
    }

    /**
     * How adapter values travel: {@code spec.communication.encoding}, else what the deprecated
     * {@code spec.adapter.wireDtype} names (F32 -> float32, F16 -> float16, BF16 -> bfloat16).
     */
    public static Encoding encoding(FederatedFineTuneSpec spec) {
        CommunicationSpec c = spec.getCommunication();
        if (c != null && c.getEncoding() != null) {
            return Encoding.parse(c.getEncoding().wireName());
        }
        return Encoding.of(wireDType(spec));
    }

    /** {@code spec.communication.budgetBytes}; 0 when unset (no budget). */
    public static long budgetBytes(FederatedFineTuneSpec spec) {
        CommunicationSpec c = spec.getCommunication();
        return c == null || c.getBudgetBytes() == null ? 0 : c.getBudgetBytes();
    }

    /** Silos by name and weight, or {@code devices.count} virtual clients named device-00000, device-00001, .... */
    public static List<Participant> participants(FederatedFineTuneSpec spec) {
        List<Participant> out = new ArrayList<>();
        if (spec.getSilos() != null && !spec.getSilos().isEmpty()) {
            for (SiloSpec s : spec.getSilos()) {
                out.add(new Participant(s.getName(), or(s.getWeight(), JobDefaults.SILO_WEIGHT)));
            }
            return out;
        }
        DevicesSpec d = spec.getDevices();
        if (d == null || d.getCount() == null) {
            throw new IllegalArgumentException("spec: set silos or devices.count");
        }
        for (int i = 0; i < d.getCount(); i++) {
            out.add(Participant.of(deviceName(i)));
        }
        return out;
    }

    public static String deviceName(int index) {
        return String.format(Locale.ROOT, "device-%05d", index);
    }

    public static Sampling sampling(FederatedFineTuneSpec spec) {
        DevicesSpec d = spec.getDevices();
        if (spec.getSilos() != null && !spec.getSilos().isEmpty() || d == null) {
            return Sampling.all();
        }
        if (d.getPerRound() != null) {
            return Sampling.count(d.getPerRound());
        }
        if (d.getSampleFraction() != null) {
            return Sampling.fraction(d.getSampleFraction());
        }
        return Sampling.fraction(JobDefaults.SAMPLE_FRACTION);
    }

    /** The job's seed ({@code spec.rounds.seed}, else the default): adapter init, sampling, partitions. */
    public static long seed(FederatedFineTuneSpec spec) {
        return spec.getRounds() == null ? JobDefaults.SEED : or(spec.getRounds().getSeed(), JobDefaults.SEED);
    }

    /** The coordinator's job spec, with the round-0 adapter initialized from the job's seed. */
    public static FederationJobSpec jobSpec(JobId id, FederatedFineTuneSpec spec, ModelConfig model) {
        AdapterLayout layout = layout(spec, model);
        RoundsSpec r = spec.getRounds();
        long seed = seed(spec);
        FederationJobSpec.Builder b = FederationJobSpec.builder(id, AdapterInitializer.initialize(layout, seed))
                .participants(participants(spec))
                .sampling(sampling(spec))
                .rounds(r.getTotal())
                .batchSize(or(r.getBatchSize(), JobDefaults.BATCH_SIZE))
                .learningRate(learningRate(spec))
                .seed(seed)
                .roundTimeout(Duration.ofSeconds(or(r.getRoundTimeoutSeconds(), JobDefaults.ROUND_TIMEOUT_SECONDS)))
                .maxRoundRetries(or(r.getMaxRoundRetries(), JobDefaults.MAX_ROUND_RETRIES))
                .targetAccuracy(r.getTargetAccuracy() == null ? Double.NaN : r.getTargetAccuracy())
                .patience(or(r.getPatience(), JobDefaults.PATIENCE))
                .encoding(encoding(spec));
        if (r.getLocalEpochs() != null) {
            b.localEpochs(r.getLocalEpochs()).localSteps(0);
        } else {
            b.localSteps(or(r.getLocalSteps(), JobDefaults.LOCAL_STEPS));
        }
        int perRound = sampling(spec).perRound(participants(spec).size());
        b.minParticipants(Math.min(perRound, or(r.getMinSilos(), JobDefaults.MIN_SILOS)));
        b.aggregation(aggregationRule(spec.getMethod()));
        b.serverOptimizer(serverOptimizer(spec.getMethod()));
        b.proximalMu(proximalMu(spec.getMethod()));
        b.learningRateDecay(learningRateDecay(spec));
        b.privacy(privacy(spec));
        b.budgetBytes(budgetBytes(spec));
        b.secureAggregation(secureAggregation(spec, perRound));
        AggregationSpec agg = spec.getMethod() == null ? null : spec.getMethod().getAggregation();
        if (agg != null && agg.getMaxExamplesPerUpdate() != null) {
            b.maxExamplesPerUpdate(agg.getMaxExamplesPerUpdate());
        }
        String policy = freezingPolicyName(spec.getMethod());
        if (loraFreezeA(spec)) {
            b.freezing(FreezingPolicies.LORA_FREEZE_A, FreezingPolicies.loraFreezeA(layout));
        } else if (!FreezingPolicies.NONE.equals(policy)) {
            b.freezing(policy, FreezingPolicies.create(policy, freezingConfig(spec.getMethod().getFreezing()), layout, seed));
        }
        return b.build();
    }

    /** FFA-LoRA: {@code adapter.loraFreezeA} on a LoRA adapter (other types ignore it, so a --compare manifest can set it). */
    public static boolean loraFreezeA(FederatedFineTuneSpec spec) {
        AdapterSpec a = spec.getAdapter();
        return a != null && a.getType() == AdapterType.LORA && Boolean.TRUE.equals(a.getLoraFreezeA());
    }

    /** "none" for FedTT; the configured policy (default adaptive) for FedTT+. */
    public static String freezingPolicyName(MethodSpec m) {
        if (m == null || m.getAlgorithm() != Algorithm.FED_TT_PLUS) {
            return FreezingPolicies.NONE;
        }
        FreezingSpec f = m.getFreezing();
        FreezingPolicyName name = f == null || f.getPolicy() == null ? FreezingPolicyName.ADAPTIVE : f.getPolicy();
        return name.wireName();
    }

    /**
     * {@code spec.method.aggregation} as the coordinator's rule: fedavg without clipping when absent;
     * trimmedMean's fraction defaults to {@link JobDefaults#AGGREGATION_TRIM_FRACTION}.
     */
    public static AggregationRule aggregationRule(MethodSpec m) {
        AggregationSpec a = m == null ? null : m.getAggregation();
        if (a == null) {
            return AggregationRule.FEDAVG;
        }
        AggregationRule.Kind kind = AggregationRule.Kind.parse(
                a.getRule() == null ? JobDefaults.AGGREGATION_RULE : a.getRule().wireName());
        double trim = kind == AggregationRule.Kind.TRIMMED_MEAN
                ? or(a.getTrimFraction(), JobDefaults.AGGREGATION_TRIM_FRACTION) : 0;
        return new AggregationRule(kind, trim, or(a.getClipNorm(), 0.0));
    }

    /**
     * {@code spec.method.serverOptimizer} as the coordinator's optimizer: fedavg when absent; the
     * learning rate defaults per type (1 for fedavgm, 1e-2 for fedadam and fedyogi), the betas and
     * tau to {@link JobDefaults}.
     */
    public static ServerOptimizer serverOptimizer(MethodSpec m) {
        ServerOptimizerSpec o = m == null ? null : m.getServerOptimizer();
        if (o == null) {
            return ServerOptimizer.FEDAVG;
        }
        ServerOptimizer.Kind kind = ServerOptimizer.Kind.parse(
                o.getType() == null ? JobDefaults.SERVER_OPTIMIZER : o.getType().wireName());
        double lr = or(o.getLearningRate(), kind.adaptive()
                ? JobDefaults.SERVER_LEARNING_RATE_ADAPTIVE : JobDefaults.SERVER_LEARNING_RATE_MOMENTUM);
        return new ServerOptimizer(kind, lr, or(o.getBeta1(), JobDefaults.SERVER_BETA1),
                or(o.getBeta2(), JobDefaults.SERVER_BETA2), or(o.getTau(), JobDefaults.SERVER_TAU));
    }

    /**
     * {@code spec.rounds.learningRateDecay}; when absent, {@link JobDefaults#LEARNING_RATE_DECAY_CROSS_DEVICE}
     * for a cross-device job and {@link JobDefaults#LEARNING_RATE_DECAY_CROSS_SILO} for a cross-silo one.
     */
    public static RoundDecay learningRateDecay(FederatedFineTuneSpec spec) {
        LearningRateDecay d = spec.getRounds() == null ? null : spec.getRounds().getLearningRateDecay();
        if (d != null) {
            return RoundDecay.parse(d.wireName());
        }
        return RoundDecay.parse(crossDevice(spec) ? JobDefaults.LEARNING_RATE_DECAY_CROSS_DEVICE
                : JobDefaults.LEARNING_RATE_DECAY_CROSS_SILO);
    }

    /**
     * {@code spec.method.logitAdjustment}; when absent, {@link JobDefaults#LOGIT_ADJUSTMENT_CROSS_DEVICE}
     * for a cross-device classification job and {@link JobDefaults#LOGIT_ADJUSTMENT_CROSS_SILO} otherwise
     * (0 for a causal-lm job, which has no labels to adjust).
     */
    public static double logitAdjustment(FederatedFineTuneSpec spec) {
        Double given = spec.getMethod() == null ? null : spec.getMethod().getLogitAdjustment();
        if (given != null) {
            return given;
        }
        if (task(spec) != Task.SEQUENCE_CLASSIFICATION) {
            return 0;
        }
        return crossDevice(spec) ? JobDefaults.LOGIT_ADJUSTMENT_CROSS_DEVICE : JobDefaults.LOGIT_ADJUSTMENT_CROSS_SILO;
    }

    private static boolean crossDevice(FederatedFineTuneSpec spec) {
        return (spec.getSilos() == null || spec.getSilos().isEmpty()) && spec.getDevices() != null;
    }

    /**
     * {@code spec.privacy.differentialPrivacy} as the core's settings, null when absent; mode defaults to
     * central and delta to {@link JobDefaults#PRIVACY_DELTA}.
     *
     * @throws IllegalArgumentException naming the field (spec.privacy.differentialPrivacy.X) at fault
     */
    public static DifferentialPrivacy privacy(FederatedFineTuneSpec spec) {
        DifferentialPrivacySpec d = spec.getPrivacy() == null ? null : spec.getPrivacy().getDifferentialPrivacy();
        if (d == null) {
            return null;
        }
        String at = "spec.privacy.differentialPrivacy.";
        if (d.getClipNorm() == null) {
            throw new IllegalArgumentException(at + "clipNorm is required");
        }
        if (d.getNoiseMultiplier() == null) {
            throw new IllegalArgumentException(at + "noiseMultiplier is required");
        }
        DifferentialPrivacy.Mode mode = DifferentialPrivacy.Mode.parse(
                d.getMode() == null ? JobDefaults.PRIVACY_MODE : d.getMode().wireName());
        try {
            return new DifferentialPrivacy(mode, d.getClipNorm(), d.getNoiseMultiplier(),
                    or(d.getDelta(), JobDefaults.PRIVACY_DELTA),
                    d.getTargetEpsilon() == null ? Double.NaN : d.getTargetEpsilon());
        } catch (IllegalArgumentException e) {
            // the core names the field as differentialPrivacy.X
            throw new IllegalArgumentException("spec.privacy." + e.getMessage(), e);
        }
    }

    /**
     * {@code spec.privacy.secureAggregation} as the core's settings, null when absent or disabled; the
     * threshold defaults to two thirds of {@code perRound} (rounded up, at least 2).
     */
    public static SecureAggregation secureAggregation(FederatedFineTuneSpec spec, int perRound) {
        SecureAggregationSpec s = spec.getPrivacy() == null ? null : spec.getPrivacy().getSecureAggregation();
        if (s == null || !or(s.getEnabled(), JobDefaults.SECURE_AGGREGATION_ENABLED)) {
            return null;
        }
        int threshold = s.getThreshold() != null ? s.getThreshold() : SecureAggregation.defaultThreshold(perRound);
        return new SecureAggregation(threshold, Duration.ofSeconds(or(s.getStageTimeoutSeconds(),
                JobDefaults.SECURE_STAGE_TIMEOUT_SECONDS)));
    }

    /** {@code spec.method.proximalMu}: FedProx's mu for the clients' local training, 0 (off) when absent. */
    public static double proximalMu(MethodSpec m) {
        Double mu = m == null ? null : m.getProximalMu();
        if (mu == null) {
            return JobDefaults.PROXIMAL_MU;
        }
        if (!(mu >= 0) || mu.isInfinite()) {
            throw new IllegalArgumentException("spec.method.proximalMu must be a number >= 0, got " + mu);
        }
        return mu;
    }

    static FreezingConfig freezingConfig(FreezingSpec f) {
        FreezingConfig c = FreezingConfig.defaults();
        if (f == null) {
            return c;
        }
        if (f.getCores() != null) {
            c = c.withCores(f.getCores());
        }
        if (f.getBudget() != null) {
            c = c.withCoresPerLayer(f.getBudget());
        }
        if (f.getWarmupRounds() != null) {
            c = c.withWarmupRounds(f.getWarmupRounds());
        }
        if (f.getWindow() != null) {
            c = c.withWindow(f.getWindow());
        }
        if (f.getEvery() != null) {
            c = c.withReevaluateEvery(f.getEvery());
        }
        return c;
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
