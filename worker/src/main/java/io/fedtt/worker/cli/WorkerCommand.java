package io.fedtt.worker.cli;

import io.fedtt.core.data.DataFileException;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.wire.WireLayout;
import io.fedtt.core.federation.client.FederationHttpException;
import io.fedtt.core.federation.client.RetryPolicy;
import io.fedtt.core.federation.server.TlsConfig;
import io.fedtt.core.job.InvalidJobDescriptionException;
import io.fedtt.core.job.JobDescription;
import io.fedtt.core.job.JobDescriptionJson;
import io.fedtt.core.job.WorkerEnvironment;
import io.fedtt.core.tensor.SafetensorsException;
import io.fedtt.worker.data.JobDatasets;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.job.ModelLoader;
import io.fedtt.worker.model.ModelWeightsException;
import io.fedtt.worker.model.PretrainedModel;
import io.fedtt.worker.train.AdaptedModel;
import io.fedtt.worker.train.TrainingOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedtt worker}: one silo (or one shard of a cross-device job's devices) of a federated job,
 * run from the job's resolved {@link JobDescription} (env {@value WorkerEnvironment#ENV_JOB_DESCRIPTION},
 * as the operator sets it, or {@code --job-description FILE}). Loads the base model and tokenizer once,
 * then loops over the protocol (task, global adapter, evaluate it locally, train, upload) until the job
 * is done. Exit codes: 0 the job is over; 1 a failure while running (server unreachable, training
 * failed); 2 input it cannot run with (flags, job description, token, data file, model). On SIGTERM it
 * finishes an upload in flight or abandons the round being trained, and exits.
 *
 * <p>The worker image has no manifest reader: {@code fedtt worker --manifest} (the fedtt CLI) resolves
 * a manifest into a description and overrides {@link #description}.
 */
@Command(name = WorkerEnvironment.COMMAND, mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one silo of a FederatedFineTune job against its federation endpoint.",
            "The job (model, labels, data fields, this silo's data) comes from the resolved job description "
                + "(env FEDTT_JOB_DESCRIPTION or --job-description FILE)."})
public class WorkerCommand implements Callable<Integer> {

    public static final int EXIT_DONE = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_INVALID = 2;
    /** The conventional status of a process ended by SIGTERM. */
    public static final int EXIT_STOPPED = 143;

    @Option(names = WorkerEnvironment.ARG_ENDPOINT, paramLabel = "URL", defaultValue = "${env:FEDTT_ENDPOINT}",
            description = "Federation endpoint, e.g. https://fedtt-endpoint.ns.svc:8443 (env FEDTT_ENDPOINT).")
    String endpoint;

    @Option(names = WorkerEnvironment.ARG_JOB, paramLabel = "NS/NAME", defaultValue = "${env:FEDTT_JOB}",
            description = "The job: namespace/name (env FEDTT_JOB).")
    String job;

    @Option(names = WorkerEnvironment.ARG_SILO, paramLabel = "NAME", defaultValue = "${env:FEDTT_SILO}",
            description = "This silo's name in the job (env FEDTT_SILO).")
    String silo;

    @Option(names = WorkerEnvironment.ARG_TOKEN_FILE, paramLabel = "PATH", defaultValue = "${env:FEDTT_TOKEN_FILE}",
            description = "File holding this silo's bearer token (env FEDTT_TOKEN_FILE).")
    Path tokenFile;

    @Option(names = WorkerEnvironment.ARG_JOB_DESCRIPTION, paramLabel = "FILE",
            description = "The resolved job description (JSON). Default: env FEDTT_JOB_DESCRIPTION.")
    Path jobDescription;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "What relative file: data locations resolve against (default: the current directory).")
    Path dataDir;

    @Option(names = "--pvc-root", paramLabel = "DIR", defaultValue = "${env:FEDTT_PVC_ROOT}",
            description = "Where pvc:<claim>/... locations are mounted (env FEDTT_PVC_ROOT).")
    Path pvcRoot;

    @Option(names = "--threads", paramLabel = "N",
            description = "PyTorch intra-op threads (default: env FEDTT_TORCH_THREADS, else 1).")
    Integer threads;

    @Option(names = "--cache-dir", paramLabel = "DIR", defaultValue = "${env:FEDTT_CACHE_DIR}",
            description = "Where models are converted/downloaded (env FEDTT_CACHE_DIR; default ~/.cache/fedtt, "
                    + "else a folder in the temp dir).")
    Path cacheDir;

    @Option(names = "--ca-file", paramLabel = "PEM", defaultValue = "${env:FEDTT_CA_FILE}",
            description = "CA certificates to trust for an https endpoint (env FEDTT_CA_FILE).")
    Path caFile;

    @Option(names = "--max-eval-examples", paramLabel = "N",
            description = "Evaluate the global adapter on at most N local examples (default: all).")
    Integer maxEvalExamples;

    @Option(names = "--eval-batch-size", paramLabel = "N", description = "Inference batch size (default: 32).")
    Integer evalBatchSize;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "30",
            description = "Tries per request before the endpoint counts as unreachable (default: 30, about 5 minutes).")
    int retries;

    @Option(names = WorkerEnvironment.ARG_SHARD, paramLabel = "K", defaultValue = "${env:FEDTT_SHARD}",
            description = "Cross-device: run the virtual devices of shard K, those whose index i has i %% N == K"
                    + " (env FEDTT_SHARD; the operator sets it).")
    Integer shard;

    @Option(names = WorkerEnvironment.ARG_SHARDS, paramLabel = "N", defaultValue = "${env:FEDTT_SHARDS}",
            description = "Cross-device: the number of worker shards, spec.devices.workers (env FEDTT_SHARDS).")
    Integer shards;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private volatile GracefulStop stop;

    public WorkerCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        stop = new GracefulStop(Thread.currentThread(), 25_000);
        stop.install();
        try {
            return run();
        } catch (InvalidInputException e) {
            return fail(EXIT_INVALID, e.getMessage());
        } catch (RuntimeException e) {
            if (stop.requested()) {
                log("stopped (SIGTERM) while " + stop.phase().name().toLowerCase(Locale.ROOT) + ": "
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                return EXIT_STOPPED;
            }
            return fail(classify(e), describe(e));
        } finally {
            stop.uninstall();
        }
    }

    /** Asks a running worker to stop as on SIGTERM (tests). */
    public void requestStop() {
        if (stop != null) {
            stop.request();
        }
    }

    private int run() {
        Sharding sharding = Sharding.of(shard, shards);
        if (sharding != null && (silo == null || silo.isBlank())) {
            silo = sharding.defaultName();
        }
        String name = required(silo, "--silo");
        JobId jobId = jobId();
        URI base = endpoint();
        String token = readToken();
        JobDescription description = description(jobId, name, sharding != null);
        JobDatasets datasets = new JobDatasets(description, dataDir != null ? dataDir : Path.of("").toAbsolutePath(),
                pvcRoot);
        Map<String, JobDatasets.ClientData> participants = participants(description, datasets, name, sharding);

        // One configuration and one HTTP client (connection pool, selector thread) for all of a shard's devices.
        FederationClient.Config config = clientConfig(base, jobId, name, token);
        HttpClient http = FederationClient.newHttpClient(config.tls());
        Map<String, FederationClient> clients = new LinkedHashMap<>();
        participants.keySet().forEach(p -> clients.put(p, new FederationClient(config.withParticipant(p), http)));
        preflight(clients.values().iterator().next(), jobId);

        ModelLoader.startEngine(threads != null ? EngineSettings.threads(threads) : EngineSettings.fromEnvironment(env));
        long t0 = System.nanoTime();
        String modelUri = description.model().uri();
        PretrainedModel encoder = loadModel(description.model());
        try {
            AdaptedModel classifier = ModelLoader.attach(encoder, description);
            log(String.format(Locale.ROOT, "model %s loaded in %.1f s: %,d parameters, %s adapter %,d; %d thread(s)",
                    modelUri, (System.nanoTime() - t0) / 1e9, encoder.loadReport().parameters(),
                    description.adapter().typeName(), classifier.model().layout().parameterCount(),
                    EngineSettings.activeIntraOpThreads()));
            log("waiting for tasks from " + base);
            // From here on the clients speak the packed wire format over the layout the model was built with:
            // the server refuses it, naming both digests, if the job lays the adapter out differently.
            WireLayout layout = WireLayout.of(classifier.model().layout());
            Map<String, FederationClient> packed = new LinkedHashMap<>();
            clients.forEach((p, client) -> packed.put(p, client.withLayout(layout)));
            if (description.training().localPrivacy() != null) {
                log("local differential privacy: each update is clipped and noised before upload ("
                        + description.training().localPrivacy().describe() + ")");
            }
            ParticipationLoop loop = new ParticipationLoop(classifier, options(description), stop, this::log,
                    description.training().localPrivacy());
            return sharding == null ? loop.silo(jobId, name, packed.get(name), participants.get(name))
                    : loop.devices(jobId, packed, participants);
        } finally {
            encoder.close();
        }
    }

    /**
     * The job this worker runs: from {@code --job-description FILE}, else env FEDTT_JOB_DESCRIPTION. The
     * fedtt CLI overrides this to resolve a manifest instead.
     *
     * @param devices whether this worker runs a shard of devices (else a silo)
     */
    protected JobDescription description(JobId jobId, String siloName, boolean devices) {
        String origin;
        String json;
        if (jobDescription != null) {
            origin = jobDescription.toString();
            json = readFile(jobDescription, "job description file");
        } else if (env.get(WorkerEnvironment.ENV_JOB_DESCRIPTION) != null
                && !env.get(WorkerEnvironment.ENV_JOB_DESCRIPTION).isBlank()) {
            origin = WorkerEnvironment.ENV_JOB_DESCRIPTION;
            json = env.get(WorkerEnvironment.ENV_JOB_DESCRIPTION);
        } else {
            throw new InvalidInputException("no job description: " + noDescriptionHint());
        }
        JobDescription d;
        try {
            d = JobDescriptionJson.read(json);
        } catch (InvalidJobDescriptionException e) {
            throw new InvalidInputException(origin + ": " + e.getMessage(), e);
        }
        if (!d.job().equals(jobId)) {
            throw new InvalidInputException(origin + " describes job " + d.job() + ", not --job " + jobId);
        }
        return d;
    }

    /** What to do when there is no description; the fedtt CLI names its manifest flags too. */
    protected String noDescriptionHint() {
        return "set " + WorkerEnvironment.ENV_JOB_DESCRIPTION + " or pass " + WorkerEnvironment.ARG_JOB_DESCRIPTION
                + " FILE";
    }

    /** This worker's participants and their data: its silo, or its shard's devices. */
    private Map<String, JobDatasets.ClientData> participants(JobDescription d, JobDatasets datasets, String name,
            Sharding sharding) {
        if (sharding != null) {
            if (!(d.participant() instanceof JobDescription.Devices devices)) {
                throw new InvalidInputException("--shard/--shards run the virtual devices of a cross-device job"
                        + " (spec.devices); this job lists silos: run it with --silo NAME");
            }
            return sharding.devices(devices, datasets, this::log);
        }
        if (!(d.participant() instanceof JobDescription.Silo s)) {
            throw new InvalidInputException("this job is cross-device (spec.devices); fedtt worker runs one silo of a"
                    + " cross-silo job");
        }
        if (!s.name().equals(name)) {
            throw new InvalidInputException("the job description is silo '" + s.name() + "''s, not --silo " + name);
        }
        JobDatasets.ClientData data = Inputs.data(() -> datasets.silo(s), "silo '" + name + "' data");
        log("silo " + name + ": " + data.train().size() + " training examples from " + s.train()
                + (data.eval() == null ? ", no local eval split"
                : ", " + data.eval().size() + " eval examples from " + s.eval()));
        return Map.of(name, data);
    }

    /** The silo name this command runs as (after --shard defaulting). */
    protected final String siloName() {
        return silo;
    }

    private FederationClient.Config clientConfig(URI base, JobId jobId, String siloName, String token) {
        FederationClient.Config config = FederationClient.Config.of(base, jobId, siloName, token)
                .withRetry(new RetryPolicy(Math.max(1, retries), Duration.ofMillis(200), Duration.ofSeconds(10), 0.5));
        if (caFile != null) {
            if (!Files.isRegularFile(caFile)) {
                throw new InvalidInputException("CA file " + caFile + " not found");
            }
            config = config.withTls(TlsConfig.clientTrusting(caFile));
        }
        return config;
    }

    /** One status request before the slow model load: a wrong token or job fails in a second, not a minute. */
    private void preflight(FederationClient client, JobId jobId) {
        var status = client.status();
        log("endpoint " + client.config().base() + " knows job " + jobId
                + (status.hasNonNull("phase") ? " (" + status.get("phase").asText() + ")" : ""));
    }

    static TrainingOptions options(JobDescription description, Integer maxEval, Integer evalBatch) {
        TrainingOptions o = TrainingOptions.of(description.training());
        if (maxEval != null) {
            o = o.withMaxEvalExamples(maxEval);
        }
        if (evalBatch != null) {
            o = o.withEvalBatchSize(evalBatch);
        }
        return o;
    }

    private TrainingOptions options(JobDescription description) {
        try {
            return options(description, maxEvalExamples, evalBatchSize);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }

    private PretrainedModel loadModel(JobDescription.Model model) {
        try {
            return new ModelLoader(env, cacheDir, pvcRoot).loadModel(model);
        } catch (ModelWeightsException | SafetensorsException | IllegalArgumentException | IOException e) {
            throw new InvalidInputException("cannot load model " + model.uri() + ": " + e.getMessage(), e);
        }
    }

    private static String readFile(Path file, String what) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(what + " " + file + " not found");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    private JobId jobId() {
        String j = required(job, "--job");
        try {
            return JobId.parse(j);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--job must be NAMESPACE/NAME: " + e.getMessage(), e);
        }
    }

    private URI endpoint() {
        String e = required(endpoint, "--endpoint");
        try {
            URI u = URI.create(e);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("expected http(s)://host[:port]");
            }
            return u;
        } catch (IllegalArgumentException ex) {
            throw new InvalidInputException("--endpoint '" + e + "' is not a URL: " + ex.getMessage(), ex);
        }
    }

    private String readToken() {
        if (tokenFile == null) {
            throw new InvalidInputException("--token-file is required (or env FEDTT_TOKEN_FILE)");
        }
        try {
            String t = Files.readString(tokenFile).strip();
            if (t.isEmpty()) {
                throw new InvalidInputException("token file " + tokenFile + " is empty");
            }
            return t;
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("token file " + tokenFile + " not found");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read token file " + tokenFile + ": " + e.getMessage(), e);
        }
    }

    private static String required(String value, String flag) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(flag + " is required");
        }
        return value.strip();
    }

    private static int classify(RuntimeException e) {
        if (e instanceof DataFileException) {
            return EXIT_INVALID;
        }
        if (e instanceof FederationHttpException h && (h.status() == 401 || h.status() == 403 || h.status() == 404)) {
            return EXIT_INVALID;
        }
        return EXIT_FAILED;
    }

    private String describe(RuntimeException e) {
        if (e instanceof FederationHttpException h) {
            return switch (h.status()) {
                // The server answers an unknown job like a bad token, so job names cannot be probed.
                case 401 -> "the endpoint refused this silo's token (HTTP 401; also the answer when it does not"
                        + " host job " + job + "): " + h.getMessage();
                case 403 -> "the endpoint does not accept silo '" + silo + "' with this token (HTTP 403): " + h.getMessage();
                case 404 -> "the endpoint does not know job " + job + " (HTTP 404): " + h.getMessage();
                default -> h.getMessage();
            };
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private int fail(int code, String message) {
        err.println("fedtt worker: error: " + message.replace('\n', ' '));
        return code;
    }

    private void log(String line) {
        out.println("[" + (silo == null ? "worker" : silo) + "] " + line);
        out.flush();
    }
}
