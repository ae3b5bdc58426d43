package io.fedtt.worker.cli;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.DevicesSpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.RoundsSpec;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.data.DataFileException;
import io.fedtt.core.data.DeviceShards;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.client.FederationHttpException;
import io.fedtt.core.federation.client.RetryPolicy;
import io.fedtt.core.federation.server.TlsConfig;
import io.fedtt.core.tensor.SafetensorsException;
import io.fedtt.worker.adapter.AdapterModel;
import io.fedtt.worker.data.ManifestDatasets;
import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.DeclaredArchitecture;
import io.fedtt.worker.model.HfModelDirectory;
import io.fedtt.worker.model.ModelWeightsException;
import io.fedtt.worker.model.PretrainedEncoder;
import io.fedtt.worker.model.source.ModelSources;
import io.fedtt.worker.train.AdapterClassifier;
import io.fedtt.worker.train.LocalTrainer;
import io.fedtt.worker.train.TrainingOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fedtt worker}: one silo of a federated job. Loads the base model and tokenizer once, then
 * loops over the protocol (task, global adapter, evaluate it locally, train, upload) until the job
 * is done. Exit codes: 0 the job is over; 1 a failure while running (server unreachable, training
 * failed); 2 input it cannot run with (flags, manifest, token, data file, model). On SIGTERM it
 * finishes an upload in flight or abandons the round being trained, and exits.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one silo of a FederatedFineTune job against its federation endpoint.",
            "The job (model, labels, data fields, this silo's data) comes from --manifest, the FEDTT_SPEC "
                + "variable (JSON), or the flags below; flags override the manifest."})
public final class WorkerCommand implements Callable<Integer> {

    public static final int EXIT_DONE = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_INVALID = 2;
    /** The conventional status of a process ended by SIGTERM. */
    public static final int EXIT_STOPPED = 143;

    @Option(names = "--endpoint", paramLabel = "URL", defaultValue = "${env:FEDTT_ENDPOINT}",
            description = "Federation endpoint, e.g. https://fedtt-endpoint.ns.svc:8443 (env FEDTT_ENDPOINT).")
    String endpoint;

    @Option(names = "--job", paramLabel = "NS/NAME", defaultValue = "${env:FEDTT_JOB}",
            description = "The job: namespace/name (env FEDTT_JOB).")
    String job;

    @Option(names = "--silo", paramLabel = "NAME", defaultValue = "${env:FEDTT_SILO}",
            description = "This silo's name in the job (env FEDTT_SILO).")
    String silo;

    @Option(names = "--token-file", paramLabel = "PATH", defaultValue = "${env:FEDTT_TOKEN_FILE}",
            description = "File holding this silo's bearer token (env FEDTT_TOKEN_FILE).")
    Path tokenFile;

    @Option(names = "--manifest", paramLabel = "FILE",
            description = "The FederatedFineTune (YAML or JSON; the resource or its spec). Default: env FEDTT_SPEC.")
    Path manifest;

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

    @Option(names = "--max-eval-examples", paramLabel = "N",
            description = "Evaluate the global adapter on at most N local examples (default: all).")
    Integer maxEvalExamples;

    @Option(names = "--eval-batch-size", paramLabel = "N", description = "Inference batch size (default: 32).")
    Integer evalBatchSize;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "30",
            description = "Tries per request before the endpoint counts as unreachable (default: 30, about 5 minutes).")
    int retries;

    @Option(names = "--shard", paramLabel = "K", defaultValue = "${env:FEDTT_SHARD}",
            description = "Cross-device: run the virtual devices of shard K, those whose index i has i %% N == K"
                    + " (env FEDTT_SHARD; the operator sets it).")
    Integer shard;

    @Option(names = "--shards", paramLabel = "N", defaultValue = "${env:FEDTT_SHARDS}",
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
    void requestStop() {
        if (stop != null) {
            stop.request();
        }
    }

    private int run() {
        Sharding sharding = sharding();
        if (sharding != null && (silo == null || silo.isBlank())) {
            silo = "shard-" + sharding.shard();
        }
        String name = required(silo, "--silo");
        JobId jobId = jobId();
        URI base = endpoint();
        String token = readToken();
        FederatedFineTune resource = WorkerManifest.load(manifest, env.get(WorkerManifest.ENV_SPEC), jobId, name,
                new WorkerManifest.Overrides(model, labels, maxSequenceLength, train, eval, textField, labelField));
        FederatedFineTuneSpec spec = resource.getSpec();
        ManifestDatasets datasets = new ManifestDatasets(spec, dataDir != null ? dataDir : Path.of("").toAbsolutePath(),
                pvcRoot);
        Map<String, ManifestDatasets.ClientData> participants = sharding == null
                ? Map.of(name, siloData(spec, datasets, name))
                : deviceData(spec, datasets, sharding);

        // One configuration and one HTTP client (connection pool, selector thread) for all of a shard's devices.
        FederationClient.Config config = clientConfig(base, jobId, name, token);
        HttpClient http = FederationClient.newHttpClient(config.tls());
        Map<String, FederationClient> clients = new LinkedHashMap<>();
        participants.keySet().forEach(p -> clients.put(p, new FederationClient(config.withParticipant(p), http)));
        preflight(clients.values().iterator().next(), jobId);

        EngineSettings engine = threads != null ? EngineSettings.threads(threads) : EngineSettings.fromEnvironment(env);
        engine.start();
        if (EngineSettings.activeIntraOpThreads() != engine.intraOpThreads()) {
            EngineSettings.setActiveIntraOpThreads(engine.intraOpThreads()); // engine was already running
        }
        long t0 = System.nanoTime();
        String modelUri = spec.getModel().getUri();
        int maxLen = spec.getModel().getMaxSequenceLength() == null ? 128 : spec.getModel().getMaxSequenceLength();
        PretrainedEncoder encoder = loadModel(spec, modelUri, maxLen);
        try {
            AdapterLayout layout = FederationJobMapper.layout(spec,
                    AdapterModel.modelConfig(encoder.config(), spec.getModel().getLabels().size()));
            RoundsSpec rounds = spec.getRounds();
            long seed = rounds.getSeed() == null ? 0 : rounds.getSeed();
            AdapterClassifier classifier = AdapterClassifier.attach(encoder, layout, seed);
            log(String.format(Locale.ROOT, "model %s loaded in %.1f s: %,d parameters, %s adapter %,d; %d thread(s)",
                    modelUri, (System.nanoTime() - t0) / 1e9, encoder.loadReport().parameters(),
                    layout.adapter().typeName(), layout.parameterCount(), EngineSettings.activeIntraOpThreads()));
            log("waiting for tasks from " + base);
            TrainingOptions options = options(spec);
            if (sharding == null) {
                Participation p = participate(name, clients.get(name), classifier, participants.get(name), options,
                        stop::requested, false);
                log(String.format(Locale.ROOT, "job %s is over: %s; this silo trained %d round(s); traffic up %,d B, "
                        + "down %,d B", jobId, ending(p.done()), p.rounds(), p.up(), p.down()));
                return EXIT_DONE;
            }
            return federateDevices(jobId, clients, classifier, participants, options);
        } finally {
            encoder.close();
        }
    }

    /** The shard flags, both or neither; null for a silo worker. */
    private Sharding sharding() {
        if (shard == null && shards == null) {
            return null;
        }
        if (shard == null || shards == null) {
            throw new InvalidInputException("--shard and --shards go together (env FEDTT_SHARD, FEDTT_SHARDS)");
        }
        if (shards < 1 || shard < 0 || shard >= shards) {
            throw new InvalidInputException("--shard must be in [0, --shards) and --shards >= 1; got --shard " + shard
                    + " --shards " + shards);
        }
        return new Sharding(shard, shards);
    }

    private record Sharding(int shard, int shards) {}

    private ManifestDatasets.ClientData siloData(FederatedFineTuneSpec spec, ManifestDatasets datasets, String name) {
        SiloSpec siloSpec = WorkerManifest.silo(spec, name);
        if (siloSpec.getData() == null || siloSpec.getData().getTrain() == null) {
            throw new InvalidInputException("silo '" + name + "' has no training data (spec.silos[].data.train)");
        }
        ManifestDatasets.ClientData data;
        try {
            data = datasets.silo(siloSpec);
        } catch (DataFileException e) {
            throw new InvalidInputException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("silo '" + name + "' data: " + e.getMessage(), e);
        }
        log("silo " + name + ": " + data.train().size() + " training examples from "
                + siloSpec.getData().getTrain() + (data.eval() == null ? ", no local eval split"
                : ", " + data.eval().size() + " eval examples from " + siloSpec.getData().getEval()));
        return data;
    }

    /**
     * This shard's virtual devices and their data: the job's device data partitioned exactly as
     * {@code fedtt simulate} and every other shard partition it (same rule, same seed), keeping the
     * devices {@link DeviceShards} gives this shard — the ones its token acts for.
     */
    private Map<String, ManifestDatasets.ClientData> deviceData(FederatedFineTuneSpec spec, ManifestDatasets datasets,
            Sharding sharding) {
        DevicesSpec devices = spec.getDevices();
        if (devices == null) {
            throw new InvalidInputException("--shard/--shards run the virtual devices of a cross-device job"
                    + " (spec.devices); this job lists silos: run it with --silo NAME");
        }
        int workers = devices.getWorkers() == null ? 1 : devices.getWorkers();
        if (workers != sharding.shards()) {
            throw new InvalidInputException("--shards " + sharding.shards() + " does not match spec.devices.workers "
                    + workers + ": the shards would not cover the devices exactly once");
        }
        List<String> mine = DeviceShards.devices(sharding.shard(), sharding.shards(), devices.getCount());
        if (mine.isEmpty()) {
            throw new InvalidInputException("shard " + sharding.shard() + " of " + sharding.shards()
                    + " owns no devices (spec.devices.count " + devices.getCount() + ")");
        }
        Map<String, ManifestDatasets.ClientData> all;
        try {
            all = datasets.clients();
        } catch (DataFileException e) {
            throw new InvalidInputException(e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("device data (spec.devices.data): " + e.getMessage(), e);
        }
        Map<String, ManifestDatasets.ClientData> out = new LinkedHashMap<>();
        int examples = 0;
        for (String d : mine) {
            ManifestDatasets.ClientData data = all.get(d);
            if (data == null) {
                throw new IllegalStateException("the partition has no device " + d); // DeviceShards and the partitioners disagree
            }
            out.put(d, data);
            examples += data.train().size();
        }
        log(String.format(Locale.ROOT, "shard %d of %d: %d of %d devices (%s .. %s), %,d training examples from %s",
                sharding.shard(), sharding.shards(), out.size(), devices.getCount(), mine.get(0),
                mine.get(mine.size() - 1), examples, devices.getData().getTrain()));
        return out;
    }

    /**
     * Runs each of this shard's devices as its own protocol client, on its own thread, all sharing
     * the one loaded model (LocalTrainer takes the model's lock, so their rounds train one at a time).
     * The first failure stops the others and is the worker's failure.
     */
    private int federateDevices(JobId jobId, Map<String, FederationClient> clients, AdapterClassifier classifier,
            Map<String, ManifestDatasets.ClientData> data, TrainingOptions options) {
        AtomicBoolean aborted = new AtomicBoolean();
        BooleanSupplier cancelled = () -> stop.requested() || aborted.get();
        ExecutorService pool = Executors.newFixedThreadPool(clients.size(), r -> {
            Thread t = new Thread(r, "device");
            t.setDaemon(true);
            return t;
        });
        try {
            ExecutorCompletionService<Participation> done = new ExecutorCompletionService<>(pool);
            for (Map.Entry<String, FederationClient> c : clients.entrySet()) {
                done.submit(() -> participate(c.getKey(), c.getValue(), classifier, data.get(c.getKey()), options,
                        cancelled, true));
            }
            List<Participation> ended = new ArrayList<>();
            RuntimeException failure = null;
            stop.enter(GracefulStop.Phase.WAITING);
            for (int i = 0; i < clients.size(); i++) {
                try {
                    ended.add(take(done).get());
                } catch (InterruptedException e) {
                    throw new IllegalStateException("unreachable: the future is done", e);
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                        // The others end as on a stop: waiting ones wake, training ones stop at the next
                        // step, an upload in flight finishes.
                        aborted.set(true);
                        stop.interruptWaiting();
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
            int rounds = ended.stream().mapToInt(Participation::rounds).sum();
            long up = ended.stream().mapToLong(Participation::up).sum();
            long down = ended.stream().mapToLong(Participation::down).sum();
            log(String.format(Locale.ROOT, "job %s is over: %s; this shard's %d devices trained %d round(s) in all;"
                    + " traffic up %,d B, down %,d B", jobId, ending(ended.get(0).done()), ended.size(), rounds, up, down));
            return EXIT_DONE;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The next finished device; a stop request (an interrupt) does not end the wait, the devices see it themselves. */
    private static Future<Participation> take(ExecutorCompletionService<Participation> done) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** How one participant (a silo, or one device of a shard) took part: until the job's end. */
    private record Participation(TaskAnswer.Done done, int rounds, long up, long down) {}

    private Participation participate(String name, FederationClient client, AdapterClassifier classifier,
            ManifestDatasets.ClientData data, TrainingOptions options, BooleanSupplier cancelled, boolean device) {
        Consumer<String> log = device ? line -> log(name + ": " + line) : this::log;
        ProgressLog progress = new ProgressLog(log, Duration.ofSeconds(15));
        LocalTrainer local = new LocalTrainer(classifier, data.train(), data.eval(), options, progress, cancelled);
        ClientLoop.Trainer trainer = (task, global) -> {
            stop.enter(GracefulStop.Phase.TRAINING);
            progress.roundStarted(task);
            ClientLoop.LocalResult r = local.train(task, global);
            stop.enter(GracefulStop.Phase.UPLOADING);
            progress.roundTrained(task, local.lastRound());
            return r;
        };
        int[] rounds = {0};
        ClientLoop.Observer observer = (task, receipt) -> {
            rounds[0]++;
            log.accept(String.format(Locale.ROOT, "round %d: update uploaded (%d of %d participants in)%s", task.round(),
                    receipt.received(), receipt.selected(), receipt.duplicate() ? ", already stored" : ""));
            stop.enter(GracefulStop.Phase.WAITING);
            if (cancelled.getAsBoolean()) {
                throw new StopRequested(task);
            }
        };
        stop.enter(GracefulStop.Phase.WAITING);
        try {
            TaskAnswer.Done done = ClientLoop.run(client, trainer, observer);
            return new Participation(done, rounds[0], client.traffic().up(), client.traffic().down());
        } finally {
            stop.leave();
        }
    }

    private static String ending(TaskAnswer.Done done) {
        return done.phase() + (done.reason() == null || done.reason().isEmpty() ? "" : " (" + done.reason() + ")");
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

    /** Thrown after an upload when a stop was requested meanwhile: the round is complete. */
    private static final class StopRequested extends RuntimeException {
        StopRequested(RoundTask task) {
            super("round " + task.round() + " was uploaded; not asking for another");
        }
    }

    static TrainingOptions options(FederatedFineTuneSpec spec, Integer maxEval, Integer evalBatch) {
        TrainingOptions o = TrainingOptions.of(spec.getRounds());
        if (maxEval != null) {
            o = o.withMaxEvalExamples(maxEval);
        }
        if (evalBatch != null) {
            o = o.withEvalBatchSize(evalBatch);
        }
        return o;
    }

    private TrainingOptions options(FederatedFineTuneSpec spec) {
        try {
            return options(spec, maxEvalExamples, evalBatchSize);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }

    private PretrainedEncoder loadModel(FederatedFineTuneSpec spec, String uri, int maxLen) {
        Path cache = cacheDir != null ? cacheDir : defaultCacheDir();
        try {
            Path dir = ModelSources.defaults(env).resolve(uri, cache);
            // Before the weights: a model that is not the declared one fails in a second, naming the field.
            DeclaredArchitecture.verify(spec, HfModelDirectory.open(dir).readConfig());
            return PretrainedEncoder.load(dir, maxLen);
        } catch (ModelWeightsException | SafetensorsException | IllegalArgumentException e) {
            throw new InvalidInputException("cannot load model " + uri + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidInputException("cannot load model " + uri + ": " + e.getMessage(), e);
        }
    }

    /** ~/.cache/fedtt when the home folder is writable (not so in a read-only pod), else the temp dir. */
    private Path defaultCacheDir() {
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank() && Files.isWritable(Path.of(home))) {
            return Path.of(home, ".cache", "fedtt");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "fedtt-cache");
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
                case 401 -> "the endpoint refused this silo's token (HTTP 401): " + h.getMessage();
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
