package io.fedtt.core.job;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.DataFormat;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.wire.Encoding;
import java.util.List;
import java.util.Objects;

/**
 * Everything one worker needs to take part in a job, fully resolved: no defaults left to apply and
 * nothing to validate against a schema. The manifest mapping produces it (once per pod: a silo's
 * description names only that silo's data); the operator hands it to the pod as JSON
 * ({@link JobDescriptionJson}, in {@link WorkerEnvironment#ENV_JOB_DESCRIPTION}); {@code fedtt worker}
 * runs from it. What each round trains (steps, batch size, learning rate, trainable cores) still comes
 * with the round's task.
 *
 * @param seed the job's seed: adapter initialisation, device partitioning, evaluation sampling
 */
public record JobDescription(JobId job, Model model, AdapterConfig adapter, long seed, Data data,
                             Participant participant, Training training) {

    /** Bumped when a field changes meaning or a required field is added; readers refuse other versions. */
    public static final int FORMAT_VERSION = 1;

    /** {@code model.task}: classify a text into one of {@code model.labels}. */
    public static final String TASK_SEQUENCE_CLASSIFICATION = "sequence-classification";
    /**
     * {@code model.task}: instruction tuning of a LLaMA-family decoder on prompt/response pairs (next-token
     * cross-entropy on the response tokens). Its evaluation reports, in {@link
     * io.fedtt.core.federation.EvalMetrics}, accuracy = the exact-match rate of greedy decoding and loss = the
     * mean response-token cross-entropy (perplexity = exp(loss)).
     */
    public static final String TASK_CAUSAL_LM = "causal-lm";
    /** The known tasks, in the order error messages list them. */
    public static final List<String> TASKS = List.of(TASK_SEQUENCE_CLASSIFICATION, TASK_CAUSAL_LM);

    public JobDescription {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(adapter, "adapter");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(participant, "participant");
        Objects.requireNonNull(training, "training");
        if (model.causalLm() && participant instanceof Devices d && d.partition().rule() == Partition.Rule.DIRICHLET) {
            throw new IllegalArgumentException("devices.partition.by: DIRICHLET splits by label and a causal-lm job"
                    + " has no labels; use IID or FIELD");
        }
    }

    /**
     * The base model and the task trained on it.
     *
     * <p>{@value #TASK_SEQUENCE_CLASSIFICATION}: at least two labels, and the architecture gets a head of
     * that many outputs. {@value #TASK_CAUSAL_LM} (instruction tuning of a LLaMA-family decoder on
     * prompt/response pairs): no labels (an empty list; null reads as empty) and no classification head
     * (numLabels 0; the decoder's own LM head predicts the response tokens); the architecture must be of
     * the LLAMA family. Any other task is refused.
     *
     * @param task {@value #TASK_SEQUENCE_CLASSIFICATION} or {@value #TASK_CAUSAL_LM}
     * @param labels the class names (sequence-classification); empty for causal-lm
     * @param sha256 expected SHA-256 of a downloaded archive or weights file, or null
     * @param revision git revision of an {@code hf:} model, or null
     * @param architecture the model's shape as declared (or a built-in model's); the worker checks the
     *                     model's config.json against it before loading any weights. Its numLabels is
     *                     replaced by the number of labels (0 for causal-lm)
     */
    public record Model(String uri, String sha256, String revision, String task, List<String> labels,
                        int maxSequenceLength, ModelConfig architecture) {
        public Model {
            requireText(uri, "model.uri");
            requireText(task, "model.task");
            switch (task) {
                case TASK_SEQUENCE_CLASSIFICATION -> {
                    if (labels == null || labels.size() < 2) {
                        throw new IllegalArgumentException("model.labels: at least two class names are required");
                    }
                }
                case TASK_CAUSAL_LM -> {
                    if (labels != null && !labels.isEmpty()) {
                        throw new IllegalArgumentException("model.labels: a causal-lm job has no labels, got "
                                + labels);
                    }
                }
                default -> throw new IllegalArgumentException("model.task: unknown task '" + task + "'; known: "
                        + String.join(", ", TASKS));
            }
            labels = labels == null ? List.of() : List.copyOf(labels);
            if (maxSequenceLength < 1) {
                throw new IllegalArgumentException("model.maxSequenceLength must be >= 1, got " + maxSequenceLength);
            }
            Objects.requireNonNull(architecture, "model.architecture");
            if (TASK_CAUSAL_LM.equals(task) && architecture.family() != ModelConfig.Family.LLAMA) {
                throw new IllegalArgumentException("model.task: causal-lm needs a LLAMA-family model, got family "
                        + architecture.family());
            }
            architecture = architecture.withNumLabels(labels.size());
        }

        /** Whether this is a {@value #TASK_CAUSAL_LM} job (prompt/response data, no labels, no head). */
        public boolean causalLm() {
            return TASK_CAUSAL_LM.equals(task);
        }
    }

    /**
     * How examples are read from the data files. A sequence-classification job reads {@code textField} and
     * {@code labelField}; a causal-lm job reads {@code promptField} and {@code responseField}
     * ({@link io.fedtt.core.data.DatasetReader#readPromptResponse}). All four are always set (the manifest
     * mapping fills in {@link JobDefaults}), whichever the task.
     */
    public record Data(String textField, String labelField, String promptField, String responseField,
                       DataFormat format) {
        public Data {
            requireText(textField, "data.textField");
            requireText(labelField, "data.labelField");
            requireText(promptField, "data.promptField");
            requireText(responseField, "data.responseField");
            Objects.requireNonNull(format, "data.format");
        }

        /** A classification job's fields, with the default prompt and response fields. */
        public Data(String textField, String labelField, DataFormat format) {
            this(textField, labelField, JobDefaults.PROMPT_FIELD, JobDefaults.RESPONSE_FIELD, format);
        }
    }

    /** The one participant a worker pod runs: a silo, or a shard of a cross-device job's virtual devices. */
    public sealed interface Participant permits Silo, Devices {
    }

    /**
     * A silo and its own data locations (no other silo's).
     *
     * @param eval the local evaluation split, or null
     */
    public record Silo(String name, String train, String eval) implements Participant {
        public Silo {
            requireText(name, "silo.name");
            requireText(train, "silo '" + name + "' train (spec.silos[].data.train)");
        }
    }

    /**
     * A cross-device job's shared device data: every shard partitions it the same way (same rule, same
     * seed) and keeps its own devices.
     *
     * @param workers the number of shards the devices are spread over
     */
    public record Devices(String train, String eval, int count, int workers, Partition partition)
            implements Participant {
        public Devices {
            requireText(train, "devices.data.train");
            if (count < 1) {
                throw new IllegalArgumentException("devices.count must be >= 1, got " + count);
            }
            if (workers < 1) {
                throw new IllegalArgumentException("devices.workers must be >= 1, got " + workers);
            }
            Objects.requireNonNull(partition, "devices.partition");
        }
    }

    /**
     * How a device data set is split among the devices.
     *
     * @param alpha Dirichlet concentration (DIRICHLET)
     * @param field the field whose values name the devices (FIELD), else null
     */
    public record Partition(Rule rule, double alpha, String field) {
        public enum Rule { IID, DIRICHLET, FIELD }

        public Partition {
            Objects.requireNonNull(rule, "partition.by");
            if (rule == Rule.FIELD) {
                requireText(field, "partition.field");
            }
        }
    }

    /**
     * Local training settings a round's task does not carry.
     *
     * @param headRateFactor the classification head's learning rate over the round task's (the rest train at
     *     the task's rate; a factor, so a rate that decays over the rounds decays for the head too)
     * @param encoding how adapter values travel ({@code spec.communication.encoding}); the worker learns
     *     it from each task too, this copy is for its log and for readers of the description
     * @param localPrivacy local differential privacy: the worker clips and noises each update before it
     *     uploads it ({@code LocalDpTrainer}); null = off (also when the job uses central DP, which is
     *     the coordinator's)
     * @param logitAdjustment tau of a classifier's logit adjustment by each participant's own label
     *     frequencies ({@code spec.method.logitAdjustment}; 0 = off)
     */
    public record Training(double warmupRatio, double weightDecay, double headRateFactor, Encoding encoding,
                           DifferentialPrivacy localPrivacy, double logitAdjustment) {

        /** Exchanged in float32, without local differential privacy or logit adjustment. */
        public Training(double warmupRatio, double weightDecay, double headRateFactor) {
            this(warmupRatio, weightDecay, headRateFactor, Encoding.FLOAT32, null, 0);
        }

        public Training {
            encoding = encoding == null ? Encoding.FLOAT32 : encoding;
            if (localPrivacy != null && localPrivacy.central()) {
                throw new IllegalArgumentException("training.localPrivacy: must be mode local");
            }
            if (!(headRateFactor > 0) || Double.isInfinite(headRateFactor)) {
                throw new IllegalArgumentException("training.headRateFactor must be > 0, got " + headRateFactor);
            }
            if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
                throw new IllegalArgumentException("training.warmupRatio must be in [0, 1], got " + warmupRatio);
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("training.weightDecay must be >= 0, got " + weightDecay);
            }
            if (!(logitAdjustment >= 0) || Double.isInfinite(logitAdjustment)) {
                throw new IllegalArgumentException("training.logitAdjustment must be >= 0, got " + logitAdjustment);
            }
        }
    }

    /** The adapter this job trains, laid out on the declared model: the one function every side uses. */
    public AdapterLayout layout() {
        return AdapterLayout.of(model.architecture(), adapter);
    }

    public JobDescription withParticipant(Participant value) {
        return new JobDescription(job, model, adapter, seed, data, value, training);
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
    }
}
