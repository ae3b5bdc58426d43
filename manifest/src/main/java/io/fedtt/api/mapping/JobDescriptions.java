package io.fedtt.api.mapping;

import io.fedtt.api.v1alpha1.DataSpec;
import io.fedtt.api.v1alpha1.DevicesSpec;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.ModelSpec;
import io.fedtt.api.v1alpha1.PartitionBy;
import io.fedtt.api.v1alpha1.PartitionSpec;
import io.fedtt.api.v1alpha1.RoundsSpec;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.DataFormat;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.job.JobDefaults;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.job.JobDescription;
import io.fedtt.core.job.JobDescription.Participant;
import io.fedtt.core.job.JobDescription.Partition;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one place a manifest becomes a worker's {@link JobDescription}: defaults applied (from
 * {@link JobDefaults}), the model's architecture resolved (declared, or the built-in model's), and
 * only the given participant's data kept. The operator calls it for each worker pod; {@code fedtt
 * worker --manifest} and {@code fedtt simulate} call it too, so every worker runs from the same values.
 */
public final class JobDescriptions {

    private JobDescriptions() {
    }

    /** The description of one silo of a cross-silo job whose manifest gives the model's shape. */
    public static JobDescription forSilo(JobId job, FederatedFineTuneSpec spec, String silo) {
        return of(job, spec, siloParticipant(spec, silo));
    }

    /** The description of one silo of a cross-silo job on a model of shape {@code model} ({@link ModelShapes}). */
    public static JobDescription forSilo(JobId job, FederatedFineTuneSpec spec, String silo, ModelConfig model) {
        return of(job, spec, siloParticipant(spec, silo), model);
    }

    /** The description the worker shards of a cross-device job share, whose manifest gives the model's shape. */
    public static JobDescription forDevices(JobId job, FederatedFineTuneSpec spec) {
        return of(job, spec, devicesParticipant(spec));
    }

    /** The description the worker shards of a cross-device job share, on a model of shape {@code model}. */
    public static JobDescription forDevices(JobId job, FederatedFineTuneSpec spec, ModelConfig model) {
        return of(job, spec, devicesParticipant(spec), model);
    }

    /**
     * The job-wide part a learner of {@code fedtt simulate} needs, which hosts every participant in one
     * process: the participant is the first silo, or the devices.
     */
    public static JobDescription forSimulation(JobId job, FederatedFineTuneSpec spec) {
        return spec.getSilos() != null && !spec.getSilos().isEmpty()
                ? forSilo(job, spec, spec.getSilos().get(0).getName()) : forDevices(job, spec);
    }

    /**
     * The job-wide part of a description (model, adapter, seed, data fields, training knobs) with the
     * given participant.
     *
     * @throws IllegalArgumentException naming the field when the spec cannot be resolved
     */
    public static JobDescription of(JobId job, FederatedFineTuneSpec spec, Participant participant) {
        if (spec.getModel() == null) {
            throw new IllegalArgumentException("spec.model is required");
        }
        var architecture = FederationJobMapper.modelConfig(spec).orElseThrow(() -> new IllegalArgumentException(
                "the shape of " + spec.getModel().getUri() + " is not known yet: read its config.json first"
                        + " (ModelShapes), or give spec.model.architecture"));
        return of(job, spec, participant, architecture);
    }

    /** As {@link #of(JobId, FederatedFineTuneSpec, Participant)}, on a model of shape {@code architecture}. */
    public static JobDescription of(JobId job, FederatedFineTuneSpec spec, Participant participant,
                                    ModelConfig architecture) {
        ModelSpec m = spec.getModel();
        if (m == null) {
            throw new IllegalArgumentException("spec.model is required");
        }
        JobDescription.Model model = new JobDescription.Model(m.getUri(), m.getSha256(), m.getRevision(),
                FederationJobMapper.task(spec).wireName(), m.getLabels(),
                or(m.getMaxSequenceLength(), JobDefaults.MAX_SEQUENCE_LENGTH), architecture);
        RoundsSpec r = spec.getRounds() == null ? new RoundsSpec() : spec.getRounds();
        return new JobDescription(job, model, FederationJobMapper.adapterConfig(spec.getAdapter()),
                FederationJobMapper.seed(spec), data(spec.getData()), participant,
                new JobDescription.Training(or(r.getWarmupRatio(), JobDefaults.WARMUP_RATIO),
                        or(r.getWeightDecay(), JobDefaults.WEIGHT_DECAY), FederationJobMapper.headRateFactor(spec),
                        FederationJobMapper.encoding(spec), localPrivacy(spec), FederationJobMapper.logitAdjustment(spec)));
    }

    /** The job's differential privacy when the workers apply it (mode local), else null. */
    static DifferentialPrivacy localPrivacy(FederatedFineTuneSpec spec) {
        DifferentialPrivacy dp = FederationJobMapper.privacy(spec);
        return dp == null || dp.central() ? null : dp;
    }

    /** How examples are read: the spec's data fields (all four, whatever the task) and format, defaulted. */
    public static JobDescription.Data data(DataSpec d) {
        DataSpec data = d == null ? new DataSpec() : d;
        DataFormat format = data.getFormat() == null ? DataFormat.AUTO
                : DataFormat.parse(data.getFormat().name().toLowerCase(Locale.ROOT));
        return new JobDescription.Data(or(data.getTextField(), JobDefaults.TEXT_FIELD),
                or(data.getLabelField(), JobDefaults.LABEL_FIELD), or(data.getPromptField(), JobDefaults.PROMPT_FIELD),
                or(data.getResponseField(), JobDefaults.RESPONSE_FIELD), format);
    }

    /** A silo's own data; the others' locations stay out of its description. */
    public static JobDescription.Silo siloParticipant(FederatedFineTuneSpec spec, String name) {
        if (spec.getSilos() == null || spec.getSilos().isEmpty()) {
            throw new IllegalArgumentException("this job is cross-device (spec.devices); silo '" + name
                    + "' is not part of it");
        }
        SiloSpec s = spec.getSilos().stream().filter(x -> name.equals(x.getName())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("silo '" + name + "' is not in the job (silos: "
                        + spec.getSilos().stream().map(SiloSpec::getName).collect(Collectors.joining(", ")) + ")"));
        if (s.getData() == null || s.getData().getTrain() == null) {
            throw new IllegalArgumentException("silo '" + name + "' has no training data (spec.silos[].data.train)");
        }
        return new JobDescription.Silo(name, s.getData().getTrain(), s.getData().getEval());
    }

    /** A cross-device job's device data, count, shards and partition rule. */
    public static JobDescription.Devices devicesParticipant(FederatedFineTuneSpec spec) {
        DevicesSpec d = spec.getDevices();
        if (d == null) {
            throw new IllegalArgumentException("this job lists silos, not spec.devices");
        }
        if (d.getCount() == null) {
            throw new IllegalArgumentException("spec.devices.count is required");
        }
        if (d.getData() == null || d.getData().getTrain() == null) {
            throw new IllegalArgumentException("spec.devices.data.train is required");
        }
        return new JobDescription.Devices(d.getData().getTrain(), d.getData().getEval(), d.getCount(),
                or(d.getWorkers(), JobDefaults.DEVICE_WORKERS), partition(d.getPartition()));
    }

    static Partition partition(PartitionSpec p) {
        PartitionSpec spec = p == null ? new PartitionSpec() : p;
        PartitionBy by = spec.getBy() == null ? PartitionBy.DIRICHLET : spec.getBy();
        Partition.Rule rule = switch (by) {
            case IID -> Partition.Rule.IID;
            case DIRICHLET -> Partition.Rule.DIRICHLET;
            case FIELD -> Partition.Rule.FIELD;
        };
        return new Partition(rule, or(spec.getAlpha(), JobDefaults.DIRICHLET_ALPHA), spec.getField());
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
