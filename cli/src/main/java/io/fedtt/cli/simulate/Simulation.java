package io.fedtt.cli.simulate;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.cli.data.ManifestDatasets;
import io.fedtt.cli.simulate.report.ConsoleTable;
import io.fedtt.cli.simulate.report.FinalFigures;
import io.fedtt.cli.simulate.report.RoundRow;
import io.fedtt.cli.simulate.report.RunResult;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.CommunicationBaseline;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobOutcome;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.core.federation.PrivacyLedger;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.client.LocalDpTrainer;
import io.fedtt.core.federation.client.RetryPolicy;
import io.fedtt.core.federation.coordinator.CentralEvaluator;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.coordinator.RoundListener;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.job.JobDefaults;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.wire.WireLayout;
import io.fedtt.worker.data.JobDatasets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One federated run on this machine: the real coordinator and HTTP server on loopback, every silo
 * (or virtual device) a real protocol client on its own thread, all sharing one frozen base model
 * through the {@link Learner}. The coordinator code is the operator's; only the clients differ.
 */
public final class Simulation {

    /** The name prefix of the hidden folder a run keeps its round store in, inside --out, while it runs. */
    public static final String STATE_PREFIX = ".fedtt-run-";

    private final FederatedFineTune resource;
    private final Method method;
    private final ModelConfig model;
    private final ManifestDatasets data;
    private final Dataset evaluation;
    private final Learner learner;
    private final ConsoleTable table;

    /**
     * @param resource the manifest, already rewritten for {@code method}
     * @param evaluation the held-out set (null: report federated accuracy only)
     */
    public Simulation(FederatedFineTune resource, Method method, ModelConfig model, ManifestDatasets data,
            Dataset evaluation, Learner learner, ConsoleTable table) {
        this.resource = resource;
        this.method = method;
        this.model = model;
        this.data = data;
        this.evaluation = evaluation;
        this.learner = learner;
        this.table = table;
    }

    /** Runs the job to its end and writes {@code adapter.safetensors} into {@code outDir}. */
    public RunResult run(Path outDir) throws Exception {
        long started = System.nanoTime();
        FederatedFineTuneSpec spec = resource.getSpec();
        String ns = resource.getMetadata().getNamespace() == null ? "default" : resource.getMetadata().getNamespace();
        JobId id = new JobId(ns, resource.getMetadata().getName());
        FederationJobSpec job = FederationJobMapper.jobSpec(id, spec, model);
        AdapterLayout layout = FederationJobMapper.layout(spec, model);
        Map<String, JobDatasets.ClientData> clients = data.clients();
        int evaluateEvery = spec.getRounds().getEvaluateEvery() == null ? JobDefaults.EVALUATE_EVERY
                : spec.getRounds().getEvaluateEvery();

        Files.createDirectories(outDir);

        table.header(String.format("%s: %s, %d %s, %d rounds", id.name(), method.label(), clients.size(),
                job.crossDevice() ? "devices (" + job.perRound() + " per round)" : "silos", job.rounds()),
                job.privacy() != null);
        RunResult.Training training = training(job, spec, layout);
        if (job.privacy() != null) {
            table.line(privacyLine(job));
        }
        if (job.secure()) {
            table.line(String.format(Locale.ROOT, "secure aggregation: threshold %d of %d per round; the coordinator sees"
                    + " only each round's masked sum", job.secureAggregation().threshold(), job.perRound()));
        }
        table.line(String.format(Locale.ROOT,
                "server optimizer %s, aggregation %s, proximalMu %s, learning rate %s (%s over the rounds)%s, encoding %s",
                training.serverOptimizer(), training.aggregation(), training.proximalMu(), training.learningRate(),
                training.learningRateDecay(), training.causalLm() ? ", causal-lm: accuracy = exact match of greedy answers"
                        : String.format(Locale.ROOT, ", %s head at %s%s", training.head(), training.headLearningRate(),
                                training.logitAdjustment() > 0 ? ", logit adjustment " + training.logitAdjustment() : ""),
                training.encoding()));
        List<RoundRow> rows = new ArrayList<>();
        Map<Integer, ClassificationMetrics.Result> central = new ConcurrentHashMap<>();
        if (evaluation != null) {
            ClassificationMetrics.Result r0 = learner.evaluate(job.initialGlobal(), evaluation);
            central.put(0, r0);
            RoundRow row0 = new RoundRow(0, 0, r0.accuracy(), Double.NaN, r0.loss(), 0, 0, 0);
            rows.add(row0);
            table.row(row0);
        }
        long trainingBefore = learner.trainingMillis();
        AtomicLong centralNanos = new AtomicLong();
        CentralEvaluator evaluator = evaluation == null ? null : (round, global) -> {
            if (round % evaluateEvery != 0 && round != job.rounds()) {
                return EvalMetrics.NONE;
            }
            long t0 = System.nanoTime();
            ClassificationMetrics.Result r = learner.evaluate(global, evaluation);
            centralNanos.addAndGet(System.nanoTime() - t0);
            central.put(round, r);
            return new EvalMetrics(r.accuracy(), r.loss(), r.examples());
        };
        CountDownLatch finished = new CountDownLatch(1);
        List<RoundRecord> seen = new ArrayList<>(); // every try so far, for the privacy ledger
        AtomicReference<WokenDevices> woken = new AtomicReference<>(); // set once the server is up (cross-device)
        RoundListener listener = new RoundListener() {
            @Override
            public void roundOpened(JobId jobId, int round, int attempt, int selected) {
                WokenDevices devices = woken.get();
                if (devices != null) {
                    devices.wake();
                }
            }

            @Override
            public void roundCompleted(JobId jobId, RoundRecord record) {
                double epsilon;
                synchronized (seen) {
                    seen.add(record);
                    epsilon = PrivacyLedger.spent(job, seen);
                }
                RoundRow row = rowOf(record, epsilon);
                synchronized (rows) {
                    rows.add(row);
                }
                table.row(row);
            }

            @Override
            public void roundFailed(JobId jobId, RoundRecord record, boolean retrying) {
                synchronized (seen) {
                    seen.add(record);
                }
                table.line("round " + record.round() + " failed: " + record.reason() + (retrying ? " (retrying)" : ""));
            }

            @Override
            public void jobFinished(JobId job, JobStatus status) {
                finished.countDown();
            }
        };

        Map<String, String> tokens = new LinkedHashMap<>();
        clients.keySet().forEach(name -> tokens.put(name, TokenRegistry.newToken()));
        // Silos each run their whole life on a thread; cross-device devices are woken per round (WokenDevices).
        ExecutorService pool = Executors.newFixedThreadPool(job.crossDevice() ? 1 : clients.size(), r -> {
            Thread t = new Thread(r, "silo");
            t.setDaemon(true);
            return t;
        });
        // The round store lives in a folder this run creates (a fresh, unique name) and removes at its end:
        // nothing the run did not create is ever deleted, whatever --out points at.
        Path stateDir = Files.createTempDirectory(outDir, STATE_PREFIX);
        OWN_STATE_FOLDERS.add(stateDir);
        RoundCoordinator coordinator;
        try {
            coordinator = RoundCoordinator.open(job, FileRoundStore.forJob(stateDir, id),
                    CoordinatorOptions.defaults().withEvaluator(evaluator).withListener(listener));
        } catch (RuntimeException | Error e) {
            deleteRecursively(stateDir);
            throw e;
        }
        // Every participant is a client of this process: the caps that stop untrusted clients from holding
        // connections unauthenticated must not evict them while thousands of devices connect at once, and a
        // device retries a connection refused in that rush for longer than a worker pod would.
        ServerConfig serverConfig = ServerConfig.loopback().withPendingCaps(clients.size() + 64, clients.size() + 1024);
        RetryPolicy retry = new RetryPolicy(30, Duration.ofMillis(200), Duration.ofSeconds(10), 0.5);
        try (FederationServer server = FederationServer.start(serverConfig)) {
            server.host(coordinator, TokenRegistry.of(tokens));
            List<Future<?>> running = new ArrayList<>();
            WireLayout wire = WireLayout.of(job.initialGlobal()); // the job's adapter, as the silos lay it out
            Learner.StepListener steps = (client, round, done, total) -> table.progress(round, job.rounds(), done, total);
            // One HTTP client (one selector thread, one connection pool) for every simulated participant, as a
            // worker shard shares one among its devices: a client each would cost a thread per device.
            HttpClient http = FederationClient.newHttpClient(null);
            Function<String, FederationClient.Config> config = name -> FederationClient.Config.of(server.baseUri(), id,
                    name, tokens.get(name)).withRetry(retry).withLayout(wire);
            // local DP noises each update inside its silo, as a worker pod does; central DP is the coordinator's
            Function<String, ClientLoop.Trainer> trainerFor = name -> LocalDpTrainer.wrap(
                    learner.trainerFor(name, clients.get(name).train(), clients.get(name).eval(), steps), job.privacy());
            if (job.crossDevice()) {
                // a woken device asks once and does not wait: it was woken because it is selected
                WokenDevices devices = new WokenDevices(coordinator,
                        name -> new FederationClient(config.apply(name).withLongPoll(Duration.ZERO), http), trainerFor);
                woken.set(devices);
                devices.wake(); // round 1 opened with the coordinator, before anyone listened
                awaitEnd(finished, devices::started);
            } else {
                for (String name : clients.keySet()) {
                    FederationClient client = new FederationClient(config.apply(name), http);
                    ClientLoop.Trainer trainer = trainerFor.apply(name);
                    running.add(pool.submit(() -> ClientLoop.run(client, trainer)));
                }
                awaitEnd(finished, () -> running);
            }
            JobStatus status = coordinator.status();
            if (status.phase() != JobPhase.SUCCEEDED) {
                throw new SimulationFailedException(id + " ended " + status.phase() + ": " + status.reason());
            }
            AdapterState global = coordinator.global().withMetadata(outputMetadata(spec));
            writeAtomically(outDir.resolve("adapter.safetensors"), SafetensorsCodec.encode(global, DType.F32));
            rows.sort(Comparator.comparingInt(RoundRow::round));
            long trained = trainingBefore < 0 ? -1 : learner.trainingMillis() - trainingBefore;
            table.line(RoundTime.of(coordinator.history(), trained, centralNanos.get() / 1_000_000).describe());
            FinalFigures figures = finalFigures(job, layout, coordinator.history(), status, central,
                    (System.nanoTime() - started) / 1e9);
            RunResult.Budget budget = budget(job, status);
            if (budget != null) {
                table.line(budgetLine(budget));
            }
            return new RunResult(id.name(), method.label(), rows, figures, training,
                    privacy(job, coordinator.history(), status), budget);
        } finally {
            pool.shutdownNow();
            if (woken.get() != null) {
                woken.get().close();
            }
            coordinator.close();
            deleteRecursively(stateDir);
        }
    }

    /** What the job trains with, as results.json and the console state it. */
    static RunResult.Training training(FederationJobSpec job, FederatedFineTuneSpec spec, AdapterLayout layout) {
        return new RunResult.Training(job.serverOptimizer().describe(), job.aggregation().describe(),
                job.proximalMu(), job.learningRate(), job.learningRateDecay().wireName(),
                FederationJobMapper.headLearningRate(spec),
                layout.model().hasHead() ? layout.adapter().head().name().toLowerCase(Locale.ROOT) : RunResult.NO_HEAD,
                job.seed(), job.encoding().wireName(), job.secure() ? job.secureAggregation().threshold() : 0,
                FederationJobMapper.logitAdjustment(spec));
    }

    /** Waits for the job to finish, failing fast if a client thread dies (its error is the run's error). */
    private static void awaitEnd(CountDownLatch finished, Supplier<List<Future<?>>> started) throws Exception {
        while (!finished.await(200, TimeUnit.MILLISECONDS)) {
            for (Future<?> f : started.get()) {
                if (f.isDone()) {
                    f.get(); // rethrows a client's failure
                }
            }
        }
        for (Future<?> f : started.get()) {
            f.get(30, TimeUnit.SECONDS); // silos see "done" on their next poll; woken devices end their round
        }
    }

    private RoundRow rowOf(RoundRecord r, double epsilon) {
        EvalMetrics c = r.central();
        boolean hasCentral = c != null && c.hasAccuracy();
        return new RoundRow(r.round(), r.participants().size(), hasCentral ? c.accuracy() : Double.NaN,
                r.federated() == null ? Double.NaN : r.federated().accuracy(), r.loss(), r.bytesUp(), r.bytesDown(),
                r.durationMillis() / 1000.0, epsilon);
    }

    /** results.json's budget figures; null without {@code communication.budgetBytes}. */
    static RunResult.Budget budget(FederationJobSpec job, JobStatus status) {
        if (job.budgetBytes() <= 0) {
            return null;
        }
        return new RunResult.Budget(job.budgetBytes(), status.bytesUp() + status.bytesDown(),
                status.outcome() != null && status.outcome().kind() == JobOutcome.Kind.BUDGET_EXHAUSTED);
    }

    /** The console's line under the round table: the budget, what was used and left, and whether it ended the job. */
    static String budgetLine(RunResult.Budget b) {
        return String.format(Locale.ROOT, "byte budget: %,d of %,d bytes used, %,d left%s", b.usedBytes(), b.budgetBytes(),
                b.remainingBytes(), b.exhausted() ? "; ended: BudgetExhausted (the next round would not have fit)" : "");
    }

    /** The console's statement of the job's differential privacy. */
    static String privacyLine(FederationJobSpec job) {
        DifferentialPrivacy dp = job.privacy();
        return String.format(Locale.ROOT, "differential privacy: %s, clipNorm %s, noiseMultiplier %s, epsilon at delta %s"
                        + " (%s)%s", dp.mode().wireName(), dp.clipNorm(), dp.noiseMultiplier(), dp.delta(),
                dp.central() ? "one round: " + fmt(PrivacyLedger.epsilon(job, 1)) + ", all " + job.rounds() + ": "
                        + fmt(PrivacyLedger.epsilon(job, job.rounds()))
                        : "per silo, one round: " + fmt(PrivacyLedger.epsilon(job, 1)),
                dp.hasTarget() ? ", stops before exceeding " + dp.targetEpsilon() : "");
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** results.json's privacy figures; null without differential privacy. */
    static RunResult.Privacy privacy(FederationJobSpec job, List<RoundRecord> history, JobStatus status) {
        DifferentialPrivacy dp = job.privacy();
        if (dp == null) {
            return null;
        }
        return new RunResult.Privacy(dp.mode().wireName(), dp.clipNorm(), dp.noiseMultiplier(), dp.delta(),
                dp.targetEpsilon(), PrivacyLedger.spent(job, history),
                status.outcome() != null && status.outcome().kind() == JobOutcome.Kind.PRIVACY_BUDGET_EXHAUSTED);
    }

    private FinalFigures finalFigures(FederationJobSpec job, AdapterLayout layout, List<RoundRecord> history,
            JobStatus status, Map<Integer, ClassificationMetrics.Result> central, double wallSeconds) {
        CommunicationBaseline baseline = CommunicationBaseline.of(model, job.encoding());
        long loraBytes = 0;
        long fullBytes = 0;
        long communicated = 0;
        int completed = 0;
        for (RoundRecord r : history) {
            if (!r.completed()) {
                continue;
            }
            int transfers = r.transfers();
            loraBytes += baseline.loraBytes(transfers);
            fullBytes += baseline.fullBytes(transfers);
            communicated += r.trainable().stream().mapToLong(n -> job.initialGlobal().get(n).size()).sum();
            completed++;
            assert transfers > 0;
        }
        int last = central.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
        ClassificationMetrics.Result fin = last > 0 ? central.get(last) : null;
        double accuracy = fin != null ? fin.accuracy() : status.lastAccuracy();
        double macroF1 = fin != null ? fin.macroF1() : Double.NaN;
        long total = status.bytesUp() + status.bytesDown();
        return new FinalFigures(accuracy, macroF1, status.bytesUp(), status.bytesDown(), layout.parameterCount(),
                completed == 0 ? 0 : communicated / completed, loraBytes, fullBytes,
                total == 0 ? Double.NaN : (double) loraBytes / total, wallSeconds);
    }

    /**
     * What a reader of adapter.safetensors ({@code fedtt predict}) needs to use it: base model, adapter
     * layout, labels, truncation length and task (see {@link AdapterMetadata}).
     */
    private Map<String, String> outputMetadata(FederatedFineTuneSpec spec) {
        var m = spec.getModel();
        return AdapterMetadata.of(m.getUri(), FederationJobMapper.labels(spec), method.label(),
                FederationJobMapper.adapterConfig(spec.getAdapter()),
                m.getMaxSequenceLength() != null ? m.getMaxSequenceLength() : JobDefaults.MAX_SEQUENCE_LENGTH,
                FederationJobMapper.task(spec).wireName());
    }

    static void writeAtomically(Path file, byte[] bytes) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The state folders of runs in this process that have not ended: removed if the process is stopped. */
    private static final java.util.Set<Path> OWN_STATE_FOLDERS = ConcurrentHashMap.newKeySet();

    /** Best effort, for the shutdown hook: removes the state folders of runs that did not end. */
    static void deleteOwnStateFolders() {
        for (Path dir : OWN_STATE_FOLDERS) {
            try {
                deleteRecursively(dir);
            } catch (IOException | RuntimeException e) {
                // the run's threads may still write there; the folder is hidden and safe to delete by hand
            }
        }
    }

    /** Removes a run's own state folder (created by this run with {@link #STATE_PREFIX}); nothing else. */
    private static void deleteRecursively(Path dir) throws IOException {
        if (!dir.getFileName().toString().startsWith(STATE_PREFIX) || !Files.isDirectory(dir)) {
            OWN_STATE_FOLDERS.remove(dir);
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        OWN_STATE_FOLDERS.remove(dir);
    }

    /** The job ended without success (a round below quorum too often, say). */
    public static final class SimulationFailedException extends RuntimeException {
        public SimulationFailedException(String message) {
            super(message);
        }
    }
}
