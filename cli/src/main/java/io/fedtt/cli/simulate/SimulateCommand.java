package io.fedtt.cli.simulate;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.mapping.ModelShapes;
import io.fedtt.api.v1alpha1.CommunicationEncoding;
import io.fedtt.api.v1alpha1.CommunicationSpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.MethodSpec;
import io.fedtt.api.v1alpha1.status.ModelStatus;
import io.fedtt.api.validation.FileReferenceChecker;
import io.fedtt.api.validation.InvalidManifestException;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.api.validation.Problem;
import io.fedtt.core.data.DataFileException;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.model.ArchitectureMismatchException;
import io.fedtt.core.model.ModelConfigFetcher;
import io.fedtt.core.wire.Encoding;
import io.fedtt.cli.data.ManifestDatasets;
import io.fedtt.cli.simulate.report.ConsoleTable;
import io.fedtt.cli.simulate.report.FinalFigures;
import io.fedtt.cli.simulate.report.RunResult;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code fedtt simulate FILE.yaml}: the whole federation on one machine, from the same manifest the
 * operator runs. Exit codes: 0 success, 1 the run failed, 2 the manifest or its data is invalid.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run a FederatedFineTune manifest on this machine: the real coordinator and protocol on "
                + "loopback, every silo an in-process client sharing one frozen base model.")
public final class SimulateCommand implements Callable<Integer> {

    public static final int EXIT_FAILED = 1;
    public static final int EXIT_INVALID = 2;
    /** A manifest's default --compare list, e.g. "fedtt,fedttplus,lora" (ignored by the operator). */
    public static final String COMPARE_ANNOTATION = "fedtt.io/compare";

    @Parameters(index = "0", paramLabel = "FILE.yaml", description = "The FederatedFineTune manifest.")
    Path manifest;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: a folder named after the job).")
    Path out;

    @Option(names = "--rounds", paramLabel = "N", description = "Override spec.rounds.total.")
    Integer rounds;

    @Option(names = "--local-steps", paramLabel = "K", description = "Override the local steps per round.")
    Integer localSteps;

    @Option(names = "--learning-rate", paramLabel = "X",
            description = "Override spec.rounds.learningRate (0 < X <= 1; default: the manifest's, else the method's default).")
    Double learningRate;

    @Option(names = "--logit-adjustment", paramLabel = "TAU",
            description = "Override spec.method.logitAdjustment (0 <= TAU <= 10; 0: off; default: the manifest's, else 1 for"
                    + " cross-device and 0 for cross-silo classifiers).")
    Double logitAdjustment;

    @Option(names = "--seed", paramLabel = "N", description = "Override spec.rounds.seed (N >= 0).")
    Long seed;

    @Option(names = "--method", paramLabel = "M", description = "fedtt, fedttplus or lora (default: as the manifest says).")
    String method;

    @Option(names = "--compare", paramLabel = "M,M", split = ",",
            description = "Run several methods on the same data, seed and schedule, e.g. fedtt,fedttplus,lora.")
    List<String> compare;

    @Option(names = "--encoding", paramLabel = "E",
            description = "Override spec.communication.encoding for every method run: float32, float16, bfloat16 or int8.")
    String encoding;

    @Option(names = "--eval-examples", paramLabel = "N",
            description = "Cap the held-out evaluation set (default: spec.evaluation.maxExamples, else all).")
    Integer evalExamples;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "What relative file: locations resolve against (default: the current directory).")
    Path dataDir;

    @Option(names = "--threads", paramLabel = "N",
            description = "PyTorch intra-op threads (default: every core; the silos take turns on one model).")
    Integer threads;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Where converted and downloaded models are kept (default: ~/.cache/fedtt).")
    Path cacheDir;

    /** Makes the learner factory from the command's engine options. */
    @FunctionalInterface
    public interface Learners {
        Learner.Factory create(int threads, Path cacheDir);
    }

    private final Learners learners;
    private final PrintStream stdout;
    private final PrintStream stderr;
    /** Reads a model's config.json, relative file: paths against the given folder. */
    private final Function<Path, ModelConfigFetcher> configs;

    /** The real command: DJL learners; HF_ENDPOINT and HF_TOKEN of {@code env} for hf: models. */
    public static SimulateCommand withDjl(Map<String, String> env, PrintStream stdout, PrintStream stderr) {
        return new SimulateCommand((threads, cache) -> DjlLearner.factory(cache, threads, env), stdout, stderr,
                base -> ModelConfigFetcher.fromEnvironment(env, base));
    }

    public SimulateCommand(Learners learners, PrintStream stdout, PrintStream stderr) {
        this(learners, stdout, stderr, base -> ModelConfigFetcher.fromEnvironment(System.getenv(), base));
    }

    public SimulateCommand(Learners learners, PrintStream stdout, PrintStream stderr,
            Function<Path, ModelConfigFetcher> configs) {
        this.learners = learners;
        this.stdout = stdout;
        this.stderr = stderr;
        this.configs = configs;
    }

    @Override
    public Integer call() throws Exception {
        FederatedFineTune resource;
        List<Method> methods;
        Path base = dataDir != null ? dataDir : Path.of("").toAbsolutePath();
        try {
            resource = ManifestValidator.standard()
                    .withReferenceChecker(new FileReferenceChecker(base))
                    .load(manifest);
            // The model's shape before any data is read or model loaded: a wrong model should not cost a pass over the data.
            String unavailable = resolveModelShape(resource, base);
            if (unavailable != null) {
                stderr.println("fedtt: spec.model.uri: " + unavailable);
                return EXIT_FAILED;
            }
            applyOverrides(resource);
            methods = methods(resource);
        } catch (InvalidManifestException e) {
            stderr.println("fedtt: " + manifest + " is not a valid FederatedFineTune:");
            for (Problem p : e.problems()) {
                stderr.println("  " + (p.path().isEmpty() ? "(document)" : p.path()) + ": " + p.message());
            }
            return EXIT_INVALID;
        } catch (IllegalArgumentException e) {
            stderr.println("fedtt: " + e.getMessage());
            return EXIT_INVALID;
        }
        Path outDir = out != null ? out : Path.of(resource.getMetadata().getName());
        String outProblem = outputFolderProblem(outDir);
        if (outProblem != null) {
            stderr.println("fedtt: --out " + outDir + ": " + outProblem);
            return EXIT_INVALID;
        }
        int engineThreads = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (engineThreads < 1) {
            stderr.println("fedtt: --threads must be at least 1, got " + engineThreads);
            return EXIT_INVALID;
        }
        ConsoleTable table = new ConsoleTable(stdout, System.console() != null);
        RunOutputs outputs = new RunOutputs(outDir, resource.getMetadata().getName(), methods, stderr);
        try {
            outputs.start();
        } catch (IOException e) {
            stderr.println("fedtt: --out " + outDir + ": cannot write: " + e.getMessage());
            return EXIT_INVALID;
        }
        boolean ended = false;
        try {
            int exit = runAll(resource, methods, base, engineThreads, table, outputs);
            ended = true;
            return exit;
        } finally {
            if (!ended) { // an unexpected error: the folder must not keep saying "running"
                outputs.failed("internal error (see the message above)");
            }
        }
    }

    /** Runs each method in turn; the exit code, with results.json saying how the run ended. */
    private int runAll(FederatedFineTune resource, List<Method> methods, Path base, int engineThreads,
            ConsoleTable table, RunOutputs outputs) throws Exception {
        Path cache = cacheDir != null ? cacheDir : Path.of(System.getProperty("user.home"), ".cache", "fedtt");
        Learner.Factory factory = learners.create(engineThreads, cache);
        try {
            Dataset evaluation = null;
            for (Method m : methods) {
                outputs.running(m);
                FederatedFineTune variant = copyFor(resource, m);
                ManifestDatasets data = new ManifestDatasets(variant.getSpec(), base, null);
                if (evaluation == null) {
                    evaluation = data.evaluation(evalExamples);
                }
                Learner learner;
                try {
                    learner = factory.open(variant.getSpec());
                } catch (IllegalArgumentException e) { // a model URI the checks above could not judge
                    return fail(outputs, EXIT_INVALID, "spec.model.uri: " + resource.getSpec().getModel().getUri()
                            + ": " + e.getMessage());
                }
                try (learner) {
                    Simulation sim = new Simulation(variant, m, learner.modelConfig(), data, evaluation, learner, table);
                    RunResult result = sim.run(outputs.runDir(m));
                    outputs.finished(result);
                    summary(table, result);
                }
            }
        } catch (DataFileException e) {
            return fail(outputs, EXIT_INVALID, e.getMessage());
        } catch (ArchitectureMismatchException e) {
            return fail(outputs, EXIT_INVALID, "model " + resource.getSpec().getModel().getUri() + ": " + e.getMessage());
        } catch (Simulation.SimulationFailedException e) {
            return fail(outputs, EXIT_FAILED, e.getMessage());
        } catch (ExecutionException e) { // a silo's training failed: its own message says why
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return fail(outputs, EXIT_FAILED, "a silo failed: " + cause.getMessage());
        }
        outputs.succeeded();
        table.line("");
        table.line("wrote " + outputs.describe());
        return 0;
    }

    private int fail(RunOutputs outputs, int exit, String message) {
        stderr.println("fedtt: " + message);
        outputs.failed(message);
        return exit;
    }

    /**
     * Finds the model's shape the way the operator does ({@link ModelShapes}: a builtin preset, else the
     * model's config.json, checked against spec.model.architecture when given) and, when the manifest
     * gives none, declares it there, so that every method's learner and the coordinator lay the adapter out
     * on it. Returns why config.json could not be fetched for now (a network failure), else null.
     *
     * @throws InvalidManifestException the model, its config.json, or the adapter on it is not valid
     */
    private String resolveModelShape(FederatedFineTune resource, Path base) {
        ModelShapes.Outcome shape = ModelShapes.resolve(resource.getSpec(), configs.apply(base));
        if (shape instanceof ModelShapes.Outcome.Unavailable u) {
            return u.message();
        }
        if (shape instanceof ModelShapes.Outcome.NeedsProbe) {
            throw new InvalidManifestException(List.of(new Problem("spec.model.uri", resource.getSpec().getModel().getUri()
                    + " is on a PersistentVolumeClaim, which only a cluster mounts; run locally with file:<dir>")));
        }
        if (shape instanceof ModelShapes.Outcome.Invalid i) {
            throw new InvalidManifestException(List.of(new Problem(i.path(), i.message())));
        }
        ModelShapes.Outcome.Known k = (ModelShapes.Outcome.Known) shape;
        if (resource.getSpec().getModel().getArchitecture() == null && k.source() != ModelStatus.Source.BUILTIN) {
            List<Problem> problems = ManifestValidator.modelProblems(resource, k.model());
            if (!problems.isEmpty()) {
                throw new InvalidManifestException(problems);
            }
            resource.getSpec().getModel().setArchitecture(FederationJobMapper.architecture(k.model()));
        }
        return null;
    }

    /**
     * Why {@code dir} cannot be the output folder (null when it can, after creating it if missing): it
     * must be a folder; the run writes only its named outputs there and never deletes anything in it.
     */
    static String outputFolderProblem(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return "is a file, not a folder; give a folder (it is created if missing)";
        }
        try {
            Files.createDirectories(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return "cannot create the folder: " + e.getFile() + " exists and is not a folder";
        } catch (IOException | SecurityException e) {
            return "cannot create the folder: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        if (!Files.isWritable(dir)) {
            return "the folder is not writable";
        }
        return null;
    }

    private void applyOverrides(FederatedFineTune resource) {
        if (rounds != null) {
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
            }
            resource.getSpec().getRounds().setTotal(rounds);
        }
        if (localSteps != null) {
            if (localSteps < 1) {
                throw new IllegalArgumentException("--local-steps must be at least 1, got " + localSteps);
            }
            resource.getSpec().getRounds().setLocalSteps(localSteps);
            resource.getSpec().getRounds().setLocalEpochs(null);
        }
        if (learningRate != null) {
            if (!(learningRate > 0 && learningRate <= 1)) { // also rejects NaN
                throw new IllegalArgumentException("--learning-rate must be greater than 0 and at most 1, got "
                        + learningRate);
            }
            resource.getSpec().getRounds().setLearningRate(learningRate);
        }
        if (logitAdjustment != null) {
            if (!(logitAdjustment >= 0 && logitAdjustment <= 10)) { // also rejects NaN
                throw new IllegalArgumentException("--logit-adjustment must be between 0 and 10, got " + logitAdjustment);
            }
            if (resource.getSpec().getMethod() == null) {
                resource.getSpec().setMethod(new MethodSpec());
            }
            resource.getSpec().getMethod().setLogitAdjustment(logitAdjustment);
        }
        if (seed != null) {
            if (seed < 0) {
                throw new IllegalArgumentException("--seed must be at least 0, got " + seed);
            }
            resource.getSpec().getRounds().setSeed(seed);
        }
        if (encoding != null) {
            String name = Encoding.parse(encoding).wireName(); // names the accepted values
            CommunicationSpec c = resource.getSpec().getCommunication() == null
                    ? new CommunicationSpec() : resource.getSpec().getCommunication();
            c.setEncoding(Arrays.stream(CommunicationEncoding.values())
                    .filter(e -> e.wireName().equals(name)).findFirst().orElseThrow());
            resource.getSpec().setCommunication(c);
            if (resource.getSpec().getAdapter() != null) {
                resource.getSpec().getAdapter().setWireDtype(null); // deprecated; the override decides
            }
        }
        if (evalExamples != null && evalExamples < 1) {
            throw new IllegalArgumentException("--eval-examples must be at least 1, got " + evalExamples);
        }
    }

    private List<Method> methods(FederatedFineTune resource) {
        if (compare != null && !compare.isEmpty()) {
            if (method != null) {
                throw new IllegalArgumentException("use --method or --compare, not both");
            }
            return compare.stream().map(Method::parse).distinct().toList();
        }
        if (method != null) {
            return List.of(Method.parse(method));
        }
        String annotated = resource.getMetadata().getAnnotations() == null ? null
                : resource.getMetadata().getAnnotations().get(COMPARE_ANNOTATION);
        if (annotated != null && !annotated.isBlank()) {
            return parseMethods(annotated).stream().distinct().toList();
        }
        return List.of(Method.of(resource.getSpec()));
    }

    private static FederatedFineTune copyFor(FederatedFineTune resource, Method m) {
        FederatedFineTune copy = new KubernetesSerialization().clone(resource);
        m.applyTo(copy.getSpec());
        return copy;
    }

    private static void summary(ConsoleTable table, RunResult r) {
        FinalFigures f = r.finalFigures();
        table.line("");
        if (r.training() != null && r.training().causalLm()) {
            double loss = r.rounds().isEmpty() ? Double.NaN : r.rounds().get(r.rounds().size() - 1).loss();
            table.line(String.format(Locale.ROOT, "%s finished in %.0f s: held-out exact match %.4f, response loss %.4f"
                    + " (perplexity %.2f)", r.method(), f.wallSeconds(), f.accuracy(), loss, Math.exp(loss)));
        } else {
            table.line(String.format(Locale.ROOT, "%s finished in %.0f s: held-out accuracy %.4f, macro-F1 %.4f",
                    r.method(), f.wallSeconds(), f.accuracy(), f.macroF1()));
        }
        table.line(String.format(Locale.ROOT,
                "  trainable parameters %,d; communicated per update %,d; bytes up %,d, down %,d (%.2f MB in all)",
                f.trainableParameters(), f.communicatedParametersPerUpdate(), f.bytesUp(), f.bytesDown(), f.bytes() / 1e6));
        table.line(String.format(Locale.ROOT,
                "  the same schedule with federated LoRA (r=8 on q,v, and the head of a classifier) would send %.2f MB (%.1fx more); "
                        + "full fine-tuning %.1f MB (%.0fx more)",
                f.loraEquivalentBytes() / 1e6, f.reductionVsLora(), f.fullModelBytes() / 1e6,
                (double) f.fullModelBytes() / Math.max(1, f.bytes())));
        table.line("");
    }

    static List<Method> parseMethods(String csv) {
        return Arrays.stream(csv.split(",")).map(Method::parse).toList();
    }
}
