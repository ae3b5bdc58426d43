package io.fedtt.cli;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.mapping.JobDescriptions;
import io.fedtt.api.mapping.ModelShapes;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.job.JobDescription;
import io.fedtt.core.job.WorkerEnvironment;
import io.fedtt.core.model.ModelConfigFetcher;
import io.fedtt.worker.cli.InvalidInputException;
import io.fedtt.worker.cli.WorkerCommand;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedtt worker} for local runs: the worker image's command plus a manifest (or flags alone)
 * as the job, resolved here into the {@link JobDescription} the worker runs from, exactly as the
 * operator resolves it for a pod. Without a manifest or job-describing flags it is the plain worker
 * (description from env FEDTT_JOB_DESCRIPTION or --job-description).
 */
@Command(name = WorkerEnvironment.COMMAND, mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one silo of a FederatedFineTune job against its federation endpoint.",
            "The job (model, labels, data fields, this silo's data) comes from --manifest, the resolved job "
                + "description (env FEDTT_JOB_DESCRIPTION or --job-description FILE), or the flags below; flags "
                + "override the manifest."})
public final class ManifestWorkerCommand extends WorkerCommand {

    @Option(names = "--manifest", paramLabel = "FILE",
            description = "The FederatedFineTune (YAML or JSON; the resource or its spec).")
    Path manifest;

    @Option(names = "--model", paramLabel = "URI", description = "Base model (overrides spec.model.uri).")
    String model;

    @Option(names = "--labels", paramLabel = "A,B", split = ",", description = "Class names (overrides spec.model.labels).")
    List<String> labels;

    @Option(names = "--max-seq-len", paramLabel = "N", description = "Tokens per example (overrides spec.model.maxSequenceLength).")
    Integer maxSequenceLength;

    @Option(names = "--train", paramLabel = "URI", description = "This silo's training data (overrides the manifest).")
    String train;

    @Option(names = "--eval", paramLabel = "URI", description = "This silo's evaluation data (overrides the manifest).")
    String eval;

    @Option(names = "--text-field", paramLabel = "NAME", description = "Text field (overrides spec.data.textField).")
    String textField;

    @Option(names = "--label-field", paramLabel = "NAME", description = "Label field (overrides spec.data.labelField).")
    String labelField;

    private final Map<String, String> env;

    public ManifestWorkerCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        super(env, out, err);
        this.env = env;
    }

    @Override
    protected JobDescription description(JobId jobId, String siloName, boolean devices) {
        WorkerManifest.Overrides overrides = new WorkerManifest.Overrides(model, labels, maxSequenceLength, train, eval,
                textField, labelField);
        if (manifest == null && !overrides.describeJob()) {
            if (overrides.any()) {
                throw new InvalidInputException("no job description: the flags given override a manifest; pass "
                        + "--manifest FILE, or give --model, --labels and --train");
            }
            return super.description(jobId, siloName, devices);
        }
        FederatedFineTune resource = WorkerManifest.load(manifest, jobId, siloName, overrides);
        try {
            // The job's kind decides; a silo worker on a cross-device job (or the reverse) is refused by the
            // worker with the flag to use.
            boolean crossDevice = resource.getSpec().getSilos() == null || resource.getSpec().getSilos().isEmpty();
            ModelConfig model = modelShape(resource);
            return crossDevice ? JobDescriptions.forDevices(jobId, resource.getSpec(), model)
                    : JobDescriptions.forSilo(jobId, resource.getSpec(), siloName, model);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }

    /**
     * The model's shape as the operator would find it: the manifest's architecture or builtin preset, else
     * the config.json of the model this worker loads (relative file: paths against the working directory,
     * as the worker loads them).
     */
    private ModelConfig modelShape(FederatedFineTune resource) {
        ModelShapes.Outcome shape = ModelShapes.resolve(resource.getSpec(),
                ModelConfigFetcher.fromEnvironment(env, Path.of("").toAbsolutePath()));
        if (shape instanceof ModelShapes.Outcome.Known k) {
            return k.model();
        }
        if (shape instanceof ModelShapes.Outcome.NeedsProbe) {
            // A claim this process mounts (FEDTT_PVC_ROOT): the worker reads config.json itself; it needs the shape.
            return FederationJobMapper.modelConfig(resource.getSpec()).orElseThrow(() -> new InvalidInputException(
                    "spec.model.uri: " + resource.getSpec().getModel().getUri() + " is on a claim; give"
                            + " spec.model.architecture, or run with a job description from the operator"));
        }
        throw new InvalidInputException(shape instanceof ModelShapes.Outcome.Unavailable u ? "spec.model.uri: "
                + u.message() : shape.toString());
    }

    @Override
    protected String noDescriptionHint() {
        return "pass --manifest FILE, set " + WorkerEnvironment.ENV_JOB_DESCRIPTION + ", pass "
                + WorkerEnvironment.ARG_JOB_DESCRIPTION + " FILE, or give --model, --labels and --train";
    }
}
