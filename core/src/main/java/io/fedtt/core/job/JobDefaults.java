package io.fedtt.core.job;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.federation.strategy.AggregationRule;
import io.fedtt.core.federation.strategy.ServerOptimizer;
import io.fedtt.core.freeze.FreezingConfig;

/**
 * Every default of a FederatedFineTune, in one place. The CRD's {@code @Default} annotations name the
 * {@code *_TEXT} constants (so the API server defaults with these values), the manifest mapping applies
 * the same values to fields a resource left out (resources that never went through an API server:
 * {@code fedtt simulate}, tests), and the worker applies none: its {@link JobDescription} arrives resolved.
 *
 * <p>The text forms are compile-time constants built from the numbers, so the two cannot drift.
 */
public final class JobDefaults {

    private JobDefaults() {
    }

    public static final int MAX_SEQUENCE_LENGTH = 128;
    public static final String MAX_SEQUENCE_LENGTH_TEXT = "" + MAX_SEQUENCE_LENGTH;

    /**
     * Architecture fields a BERT-family declaration may leave out; they depend on the family, so the manifest
     * mapping applies them (no schema default). A LLaMA-family declaration must give maxPositions (its
     * context length); its typeVocabSize is 0.
     */
    public static final int MAX_POSITIONS = 512;
    public static final int TYPE_VOCAB_SIZE = 2;

    public static final String TEXT_FIELD = "text";
    public static final String LABEL_FIELD = "label";
    /** causal-lm data: the instruction (prompt) and the answer the model learns to produce (response). */
    public static final String PROMPT_FIELD = "prompt";
    public static final String RESPONSE_FIELD = "response";

    public static final int BATCH_SIZE = 16;
    public static final String BATCH_SIZE_TEXT = "" + BATCH_SIZE;
    /*
     * Method-aware learning rates, as PEFT's recipes give each method its own: the peak AdamW rate of the
     * local steps per adapter type, and the factor by which the classification head's rate exceeds it
     * (the head starts from scratch while the adapters perturb a pretrained model; with Adam every
     * parameter moves by about the learning rate per step, so a fresh head with few parameters needs a
     * larger one). Chosen from the quality suite: BENCHMARKS.md, "Quality suite".
     */
    public static final double LEARNING_RATE_TT = 5e-3;
    public static final String LEARNING_RATE_TT_TEXT = "" + LEARNING_RATE_TT;
    public static final double LEARNING_RATE_LORA = 1e-3;
    public static final String LEARNING_RATE_LORA_TEXT = "" + LEARNING_RATE_LORA;
    /** Full fine-tuning: the usual BERT-family rate. */
    public static final double LEARNING_RATE_FULL = 5e-5;
    public static final String LEARNING_RATE_FULL_TEXT = "" + LEARNING_RATE_FULL;
    public static final double HEAD_LEARNING_RATE_FACTOR_TT = 10;
    public static final String HEAD_LEARNING_RATE_FACTOR_TT_TEXT = "" + HEAD_LEARNING_RATE_FACTOR_TT;
    public static final double HEAD_LEARNING_RATE_FACTOR_LORA = 10;
    public static final String HEAD_LEARNING_RATE_FACTOR_LORA_TEXT = "" + HEAD_LEARNING_RATE_FACTOR_LORA;
    public static final double HEAD_LEARNING_RATE_FACTOR_FULL = 1;

    /** The local steps' peak learning rate when a manifest gives none. */
    public static double learningRate(AdapterConfig.Type type) {
        return switch (type) {
            case TT -> LEARNING_RATE_TT;
            case LORA -> LEARNING_RATE_LORA;
            case FULL -> LEARNING_RATE_FULL;
        };
    }

    /** The head's learning rate over the others' when a manifest gives no headLearningRate. */
    public static double headLearningRateFactor(AdapterConfig.Type type) {
        return switch (type) {
            case TT -> HEAD_LEARNING_RATE_FACTOR_TT;
            case LORA -> HEAD_LEARNING_RATE_FACTOR_LORA;
            case FULL -> HEAD_LEARNING_RATE_FACTOR_FULL;
        };
    }

    /**
     * spec.rounds.learningRateDecay when not given: cosine over the rounds for cross-device jobs (sampled,
     * skewed clients: without a decay late rounds keep jumping; see BENCHMARKS.md, "Cross-device drift"),
     * constant for cross-silo jobs.
     */
    public static final String LEARNING_RATE_DECAY_CROSS_DEVICE = "cosine";
    public static final String LEARNING_RATE_DECAY_CROSS_SILO = "constant";
    /**
     * spec.adapter.trainLayerNorm when not given (type tt): frozen. LoRETTA trains the norms, but on the
     * quality suite freezing them was as good or better on every task (sotu +5.3 points) and sends 30 %
     * fewer values; see BENCHMARKS.md, "Frozen LayerNorms". {@code AdapterConfig.tt()} keeps the
     * LoRETTA layout for reference counts.
     */
    public static final boolean TRAIN_LAYER_NORM_TT = false;
    public static final String TRAIN_LAYER_NORM_TT_TEXT = "" + TRAIN_LAYER_NORM_TT;
    /**
     * spec.adapter.adapterBias when not given (type tt); see BENCHMARKS.md, "Adapter biases".
     * {@code AdapterConfig.tt()} keeps both biases for FEDTT.md's reference counts.
     */
    public static final AdapterConfig.AdapterBias ADAPTER_BIAS_TT = AdapterConfig.AdapterBias.BOTH;
    public static final String ADAPTER_BIAS_TT_TEXT = "both";
    /**
     * spec.method.logitAdjustment when not given (tau; 0 = off): see BENCHMARKS.md, "Logit adjustment".
     */
    public static final double LOGIT_ADJUSTMENT_CROSS_DEVICE = 1.0;
    public static final double LOGIT_ADJUSTMENT_CROSS_SILO = 0.0;
    public static final double WARMUP_RATIO = 0.0;
    public static final String WARMUP_RATIO_TEXT = "" + WARMUP_RATIO;
    public static final double WEIGHT_DECAY = 0.0;
    public static final String WEIGHT_DECAY_TEXT = "" + WEIGHT_DECAY;
    /** Local steps when neither localSteps nor localEpochs is given. */
    public static final int LOCAL_STEPS = 10;
    public static final int MIN_SILOS = 1;
    public static final String MIN_SILOS_TEXT = "" + MIN_SILOS;
    public static final int ROUND_TIMEOUT_SECONDS = 600;
    public static final String ROUND_TIMEOUT_SECONDS_TEXT = "" + ROUND_TIMEOUT_SECONDS;
    public static final long SEED = 0;
    public static final String SEED_TEXT = "" + SEED;
    public static final int MAX_ROUND_RETRIES = 2;
    public static final String MAX_ROUND_RETRIES_TEXT = "" + MAX_ROUND_RETRIES;
    /** No early stop on a plateau. */
    public static final int PATIENCE = 0;

    /**
     * Rank 3, not FEDTT.md's 5: on the quality suite rank 3 matched rank 5 within 0.2 points on every task
     * with 45 % fewer values per update (BENCHMARKS.md, "TT rank"); AdapterConfig.tt() keeps 5 for FEDTT.md's
     * reference counts.
     */
    public static final int TT_RANK = 3;
    public static final String TT_RANK_TEXT = "" + TT_RANK;
    public static final int BOTTLENECK = 64;
    public static final String BOTTLENECK_TEXT = "" + BOTTLENECK;
    public static final int LORA_RANK = 8;
    public static final String LORA_RANK_TEXT = "" + LORA_RANK;
    public static final double LORA_ALPHA = 16;
    public static final String LORA_ALPHA_TEXT = "" + LORA_ALPHA;

    public static final double SILO_WEIGHT = 1.0;

    /** Cross-device: worker pods (shards), the partition rule's Dirichlet alpha, and the share sampled per round. */
    public static final int DEVICE_WORKERS = 1;
    public static final String DEVICE_WORKERS_TEXT = "" + DEVICE_WORKERS;
    public static final double DIRICHLET_ALPHA = 0.5;
    public static final String DIRICHLET_ALPHA_TEXT = "" + DIRICHLET_ALPHA;
    public static final double SAMPLE_FRACTION = 0.1;

    /** Held-out evaluation every this many rounds. */
    public static final int EVALUATE_EVERY = 1;
    public static final String EVALUATE_EVERY_TEXT = "" + EVALUATE_EVERY;
    /** Pod replacements per slot before the job fails. */
    public static final int BACKOFF_LIMIT = 3;
    public static final String BACKOFF_LIMIT_TEXT = "" + BACKOFF_LIMIT;

    /** FedTT+ freezing: the policy's own defaults (FreezingConfig), as the CRD states them. */
    /** spec.method.aggregation: the rule when the object is given without one, and trimmedMean's fraction. */
    public static final String AGGREGATION_RULE = "fedavg";
    public static final double AGGREGATION_TRIM_FRACTION = AggregationRule.DEFAULT_TRIM_FRACTION;
    public static final String AGGREGATION_TRIM_FRACTION_TEXT = "" + AGGREGATION_TRIM_FRACTION;
    /** spec.method.serverOptimizer: the type when the object is given without one, and each knob's default. */
    public static final String SERVER_OPTIMIZER = "fedavg";
    public static final double SERVER_LEARNING_RATE_MOMENTUM = ServerOptimizer.DEFAULT_LEARNING_RATE_MOMENTUM;
    public static final String SERVER_LEARNING_RATE_MOMENTUM_TEXT = "" + SERVER_LEARNING_RATE_MOMENTUM;
    public static final double SERVER_LEARNING_RATE_ADAPTIVE = ServerOptimizer.DEFAULT_LEARNING_RATE_ADAPTIVE;
    public static final String SERVER_LEARNING_RATE_ADAPTIVE_TEXT = "" + SERVER_LEARNING_RATE_ADAPTIVE;
    public static final double SERVER_BETA1 = ServerOptimizer.DEFAULT_BETA1;
    public static final String SERVER_BETA1_TEXT = "" + SERVER_BETA1;
    public static final double SERVER_BETA2 = ServerOptimizer.DEFAULT_BETA2;
    public static final String SERVER_BETA2_TEXT = "" + SERVER_BETA2;
    public static final double SERVER_TAU = ServerOptimizer.DEFAULT_TAU;
    public static final String SERVER_TAU_TEXT = "" + SERVER_TAU;
    /** spec.method.proximalMu: FedProx's mu, 0 = off. */
    public static final double PROXIMAL_MU = 0.0;
    public static final String PROXIMAL_MU_TEXT = "" + PROXIMAL_MU;
    public static final int FREEZING_BUDGET = FreezingConfig.DEFAULT_CORES_PER_LAYER;
    public static final String FREEZING_BUDGET_TEXT = "" + FREEZING_BUDGET;
    public static final int FREEZING_WARMUP_ROUNDS = FreezingConfig.DEFAULT_WARMUP_ROUNDS;
    public static final String FREEZING_WARMUP_ROUNDS_TEXT = "" + FREEZING_WARMUP_ROUNDS;
    public static final int FREEZING_EVERY = FreezingConfig.DEFAULT_REEVALUATE_EVERY;
    public static final String FREEZING_EVERY_TEXT = "" + FREEZING_EVERY;
    public static final int FREEZING_WINDOW = FreezingConfig.DEFAULT_WINDOW;
    public static final String FREEZING_WINDOW_TEXT = "" + FREEZING_WINDOW;
    /** spec.privacy.secureAggregation: on when the object is given; each later stage's wait for late participants. */
    public static final boolean SECURE_AGGREGATION_ENABLED = true;
    public static final String SECURE_AGGREGATION_ENABLED_TEXT = "" + SECURE_AGGREGATION_ENABLED;
    public static final int SECURE_STAGE_TIMEOUT_SECONDS = 60;
    public static final String SECURE_STAGE_TIMEOUT_SECONDS_TEXT = "" + SECURE_STAGE_TIMEOUT_SECONDS;

    /** spec.privacy.differentialPrivacy: the mode when none is given, and the delta epsilon is reported for. */
    public static final String PRIVACY_MODE = "central";
    public static final double PRIVACY_DELTA = io.fedtt.core.privacy.DifferentialPrivacy.DEFAULT_DELTA;
    public static final String PRIVACY_DELTA_TEXT = "" + PRIVACY_DELTA;
}
