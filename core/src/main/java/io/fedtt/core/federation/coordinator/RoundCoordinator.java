package io.fedtt.core.federation.coordinator;

import io.fedtt.core.aggregate.StreamingFedAvg;
import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobOutcome;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.core.federation.Participant;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.Traffic;
import io.fedtt.core.federation.UpdateInfo;
import io.fedtt.core.federation.UploadReceipt;
import io.fedtt.core.federation.store.RoundStore;
import io.fedtt.core.federation.store.StoreCorruptedException;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Digest;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.SafetensorsException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The one owner of a job's round state. Rounds run 1..total: each selects participants, accepts
 * their validated updates into a streaming FedAvg (each written to the store before it is
 * acknowledged), and closes when every selected participant has reported, or at its deadline with
 * at least the quorum. Closing aggregates, stores the new global adapter, runs the optional central
 * evaluation, records the round in the history, checks the stop conditions and opens the next round
 * with the freezing policy's mask. Below the quorum at the deadline a round fails; it is retried
 * (keeping the updates already accepted) up to {@code maxRoundRetries} times, then the job fails.
 *
 * <p>Thread-safe: all state is guarded by one lock, held only for bookkeeping; decoding, validation,
 * disk writes of updates, aggregation results and evaluation happen outside it. Time comes from the
 * injected clock and deadlines are checked by {@link #checkDeadline()}, which the server calls
 * periodically (tests call it after moving their clock).
 *
 * <p>Restart: {@link #open} reloads the store. A job resumes its open round with every update
 * acknowledged before the stop re-fed into the aggregator (each once) and a fresh deadline, so that
 * clients have time to come back.
 */
public final class RoundCoordinator implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RoundCoordinator.class.getName());
    /** Metadata keys of every global adapter. */
    public static final String META_JOB = "fedtt.job";
    public static final String META_VERSION = "fedtt.version";

    private final FederationJobSpec spec;
    private final RoundStore store;
    private final CoordinatorOptions options;
    private final Executor driver;
    private final ExecutorService ownDriver;
    private final Map<String, Participant> participants = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Consumer<RoundListener>> events = new ConcurrentLinkedQueue<>();
    private final ReentrantLock eventLock = new ReentrantLock();
    private final Set<Runnable> waiters = new HashSet<>();

    // ---- state guarded by lock
    private JobPhase phase = JobPhase.RUNNING;
    private JobOutcome outcome;
    private int round;
    private int attempt;
    private boolean closing;
    private long roundOpenedAt;
    private long deadline;
    private TreeSet<String> selected = new TreeSet<>();
    private Set<String> avoid = new TreeSet<>();
    private TrainableMask mask;
    private StreamingFedAvg aggregator;
    private final TreeMap<String, Accepted> accepted = new TreeMap<>();
    private final Map<String, String> inFlight = new HashMap<>();
    private TreeMap<String, Traffic> traffic = new TreeMap<>();
    private long bytesUp;
    private long bytesDown;
    private int completedRounds;
    private AdapterState global;
    private byte[] globalBytes;
    private String globalDigest;
    private final Map<String, Integer> lastChanged = new HashMap<>();
    private final Map<Integer, AdapterPayload> partials = new HashMap<>();
    private final List<RoundRecord> history = new ArrayList<>();
    private TrainableMask trainableMask;
    private List<String> trainableList;

    private record Accepted(String digest, UpdateInfo info) {
    }

    private RoundCoordinator(FederationJobSpec spec, RoundStore store, CoordinatorOptions options) {
        this.spec = spec;
        this.store = store;
        this.options = options;
        for (Participant p : spec.participants()) {
            participants.put(p.name(), p);
        }
        if (options.driver() == null) {
            ownDriver = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fedtt-rounds-" + spec.job());
                t.setDaemon(true);
                return t;
            });
            driver = ownDriver;
        } else {
            ownDriver = null;
            driver = options.driver();
        }
    }

    /**
     * Starts the job, or resumes it from {@code store}.
     *
     * @throws StoreCorruptedException if a stored file is damaged or missing (the message names it)
     */
    public static RoundCoordinator open(FederationJobSpec spec, RoundStore store, CoordinatorOptions options) {
        RoundCoordinator c = new RoundCoordinator(spec, store, options);
        boolean closeNow;
        c.lock.lock();
        try {
            var saved = store.loadState();
            if (saved.isPresent()) {
                c.restore(CoordinatorSnapshot.fromJson(saved.get(), store.describe()));
            } else {
                c.start();
            }
            closeNow = c.phase == JobPhase.RUNNING && c.accepted.size() == c.selected.size();
            if (closeNow) {
                c.closing = true;
            }
        } catch (RuntimeException e) {
            c.lock.unlock();
            c.close();
            throw e;
        }
        c.lock.unlock();
        c.dispatchEvents();
        if (closeNow) {
            c.driver.execute(c::finalizeRound);
        }
        return c;
    }

    // ================================================================ queries

    public JobId job() {
        return spec.job();
    }

    public FederationJobSpec spec() {
        return spec;
    }

    public boolean isParticipant(String name) {
        return participants.containsKey(name);
    }

    public JobStatus status() {
        lock.lock();
        try {
            double last = Double.NaN;
            double best = Double.NaN;
            for (RoundRecord r : history) {
                if (r.completed() && !Double.isNaN(r.accuracy())) {
                    last = r.accuracy();
                    best = Double.isNaN(best) ? last : Math.max(best, last);
                }
            }
            return new JobStatus(spec.job().toString(), phase, outcome, round, attempt, spec.rounds(), completedRounds,
                    phase.finished() ? 0 : selected.size(), phase.finished() ? 0 : accepted.size(),
                    phase.finished() ? 0 : deadline, last, best, bytesUp, bytesDown, globalDigest);
        } finally {
            lock.unlock();
        }
    }

    public List<RoundRecord> history() {
        lock.lock();
        try {
            return List.copyOf(history);
        } finally {
            lock.unlock();
        }
    }

    /** The current global adapter (the final one once the job is finished). */
    public AdapterState global() {
        lock.lock();
        try {
            return global;
        } finally {
            lock.unlock();
        }
    }

    /** Participants selected for the open round. */
    public List<String> selected() {
        lock.lock();
        try {
            return List.copyOf(selected);
        } finally {
            lock.unlock();
        }
    }

    /** Participants whose update is accepted in the open round. */
    public List<String> received() {
        lock.lock();
        try {
            return List.copyOf(accepted.keySet());
        } finally {
            lock.unlock();
        }
    }

    // ================================================================ task

    /** The task for {@code participant}: a round after {@code after} it should work on, waiting, or done. */
    public TaskAnswer task(String participant, int after) {
        return pollTask(participant, after, null);
    }

    /**
     * Like {@link #task}, and when the answer is {@link TaskAnswer.Waiting} registers {@code onChange}
     * (atomically with the check) to run once the job's state next changes: a round opens, is
     * retried, or the job finishes. Cancel with {@link #cancelWait}. The callback runs on the thread
     * making the change and must only hand off work.
     */
    public TaskAnswer pollTask(String participant, int after, Runnable onChange) {
        requireParticipant(participant);
        lock.lock();
        try {
            if (phase.finished()) {
                return new TaskAnswer.Done(phase, outcome == null ? "" : outcome.text(), completedRounds, globalDigest);
            }
            if (round > after && !closing && selected.contains(participant) && !accepted.containsKey(participant)) {
                return new TaskAnswer.Work(taskFor(participant));
            }
            if (onChange != null) {
                waiters.add(onChange);
            }
            return new TaskAnswer.Waiting(round);
        } finally {
            lock.unlock();
        }
    }

    public void cancelWait(Runnable onChange) {
        lock.lock();
        try {
            waiters.remove(onChange);
        } finally {
            lock.unlock();
        }
    }

    private RoundTask taskFor(String participant) {
        if (trainableMask != mask) {
            trainableList = List.copyOf(mask.trainable());
            trainableMask = mask;
        }
        return new RoundTask(spec.job().toString(), round, attempt, spec.rounds(), globalDigest,
                trainableList, spec.localSteps(), spec.localEpochs(), spec.batchSize(),
                spec.learningRate(), ParticipantSampler.trainingSeed(spec.seed(), round, participant), deadline,
                spec.wireDType());
    }

    // ================================================================ adapter

    /**
     * The global adapter round {@code forRound} trains from (the result of round forRound - 1). With
     * {@code since} = K > 0, the client holds the adapter of round K and gets only the tensors that
     * changed since (those trainable in a completed round >= K); with {@code since} <= 0, all of it.
     * {@code forRound} = completed rounds + 1 also names the final adapter once the job is done.
     */
    public AdapterPayload adapter(String participant, int forRound, int since) {
        requireParticipant(participant);
        lock.lock();
        try {
            int current = completedRounds + 1;
            if (forRound > current || forRound < 1) {
                throw new Rejection(Rejection.Kind.NOT_FOUND, "no adapter for round " + forRound
                        + " (the current global adapter is the one of round " + current + ")");
            }
            if (forRound < current) {
                throw new Rejection(Rejection.Kind.GONE, "the adapter of round " + forRound
                        + " is superseded; the current one is round " + current + "'s");
            }
            if (since <= 0) {
                return new AdapterPayload(completedRounds, globalBytes, globalDigest, false);
            }
            if (since > forRound) {
                throw new Rejection(Rejection.Kind.INVALID, "since=" + since + " is after round " + forRound);
            }
            return partials.computeIfAbsent(since, k -> {
                AdapterState changed = global.select(n -> lastChanged.getOrDefault(n, 0) >= k);
                byte[] body = SafetensorsCodec.encode(changed, spec.wireDType());
                return new AdapterPayload(completedRounds, body, Digest.sha256Hex(body), true);
            });
        } finally {
            lock.unlock();
        }
    }

    /** The current (final, once finished) global adapter as sent on the wire. */
    public AdapterPayload currentAdapter() {
        lock.lock();
        try {
            return new AdapterPayload(completedRounds, globalBytes, globalDigest, false);
        } finally {
            lock.unlock();
        }
    }

    // ================================================================ uploads

    /**
     * Accepts {@code participant}'s update for {@code round}: validated, written to the store, then
     * added to the round's aggregate. Returns once it is durable; an identical repeat returns a
     * receipt marked duplicate and counts nothing.
     *
     * @throws Rejection with the reason (gone, conflict, invalid, ...) and a message naming it;
     *     listeners hear of it through {@link RoundListener#updateRefused}
     */
    public UploadReceipt submit(String participant, int round, byte[] body) {
        try {
            return accept(participant, round, body);
        } catch (Rejection r) {
            events.add(l -> l.updateRefused(spec.job(), round, participant, r.kind(), r.getMessage()));
            dispatchEvents();
            throw r;
        }
    }

    private UploadReceipt accept(String participant, int round, byte[] body) {
        requireParticipant(participant);
        String digest = Digest.sha256Hex(body);
        UpdateValidator.Expected expected;
        lock.lock();
        try {
            checkOpenFor(participant, round);
            Accepted a = accepted.get(participant);
            if (a != null) {
                if (a.digest().equals(digest)) {
                    return new UploadReceipt(round, participant, digest, true, accepted.size(), selected.size());
                }
                throw new Rejection(Rejection.Kind.CONFLICT, "a different update from '" + participant
                        + "' for round " + round + " was already accepted (sha256 " + a.digest() + ")");
            }
            String pending = inFlight.get(participant);
            if (pending != null) {
                throw pending.equals(digest)
                        ? new Rejection(Rejection.Kind.BUSY, "the same update from '" + participant + "' for round "
                                + round + " is being stored; retry shortly")
                        : new Rejection(Rejection.Kind.CONFLICT, "another update from '" + participant
                                + "' for round " + round + " is being stored");
            }
            inFlight.put(participant, digest);
            expected = new UpdateValidator.Expected(round, global, mask, spec.wireDType(), options.maxUpdateBytes());
        } finally {
            lock.unlock();
        }
        boolean startClose = false;
        UploadReceipt receipt;
        try {
            UpdateValidator.Valid valid = UpdateValidator.validate(body, expected);
            store.putUpdate(round, participant, body, digest);
            lock.lock();
            try {
                inFlight.remove(participant);
                if (phase.finished() || this.round != round || closing || !selected.contains(participant)) {
                    store.deleteUpdate(round, participant);
                    throw new Rejection(Rejection.Kind.GONE, "round " + round + " closed while the update from '"
                            + participant + "' was being stored");
                }
                aggregator.add(valid.update(), weight(participant, valid.info()));
                accepted.put(participant, new Accepted(digest, valid.info()));
                int received = accepted.size();
                int of = selected.size();
                events.add(l -> l.updateAccepted(spec.job(), round, participant, received, of));
                if (received == of) {
                    closing = true;
                    startClose = true;
                }
                receipt = new UploadReceipt(round, participant, digest, false, received, of);
            } finally {
                lock.unlock();
            }
        } finally {
            lock.lock();
            try {
                inFlight.remove(participant, digest);
            } finally {
                lock.unlock();
            }
        }
        dispatchEvents();
        if (startClose) {
            driver.execute(this::finalizeRound);
        }
        return receipt;
    }

    /** Counts body bytes seen on the wire for a participant in a round (up = to the server). */
    public void recordTraffic(int forRound, String participant, long up, long down) {
        lock.lock();
        try {
            bytesUp += up;
            bytesDown += down;
            if (!phase.finished() && forRound == round && participant != null) {
                traffic.merge(participant, new Traffic(up, down), Traffic::plus);
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkOpenFor(String participant, int r) {
        if (phase.finished()) {
            throw new Rejection(Rejection.Kind.GONE, "job " + spec.job() + " is finished (" + phase + "); round "
                    + r + " is closed");
        }
        if (r < round) {
            throw new Rejection(Rejection.Kind.GONE, "round " + r + " is closed; the open round is " + round);
        }
        if (r > round) {
            throw new Rejection(Rejection.Kind.NOT_FOUND, "round " + r + " is not open; the open round is " + round);
        }
        if (closing) {
            throw new Rejection(Rejection.Kind.GONE, "round " + r + " is closed (being aggregated)");
        }
        if (!selected.contains(participant) && avoid.contains(participant)) {
            throw new Rejection(Rejection.Kind.GONE, "'" + participant + "' missed the deadline of round " + r
                    + " and was replaced when the round was retried");
        }
        if (!selected.contains(participant)) {
            throw new Rejection(Rejection.Kind.FORBIDDEN, "'" + participant + "' is not selected for round " + r);
        }
    }

    private double weight(String participant, UpdateInfo info) {
        return info.examples() * participants.get(participant).weight();
    }

    private void requireParticipant(String participant) {
        if (!participants.containsKey(participant)) {
            throw new Rejection(Rejection.Kind.NOT_FOUND, "'" + participant + "' is not a participant of job " + spec.job());
        }
    }

    // ================================================================ deadlines

    /**
     * Applies the deadline of the open round if it has passed: with the quorum, the round closes
     * with what arrived (the rest are stragglers); below it, the try fails and the round is retried
     * or the job fails. Cheap when nothing is due; call it periodically.
     */
    public void checkDeadline() {
        boolean startClose = false;
        List<Runnable> wake = List.of();
        lock.lock();
        try {
            long now = options.clock().millis();
            if (phase.finished() || closing || now < deadline) {
                return;
            }
            if (accepted.size() >= spec.minParticipants()) {
                closing = true;
                startClose = true;
            } else {
                failAttempt(now);
                wake = takeWaiters();
            }
        } finally {
            lock.unlock();
        }
        wake.forEach(Runnable::run);
        dispatchEvents();
        if (startClose) {
            driver.execute(this::finalizeRound);
        }
    }

    /** Deadline of the open round in epoch millis (0 when finished). */
    public long deadlineMillis() {
        lock.lock();
        try {
            return phase.finished() ? 0 : deadline;
        } finally {
            lock.unlock();
        }
    }

    private void failAttempt(long now) {
        List<String> got = List.copyOf(accepted.keySet());
        List<String> silent = selected.stream().filter(p -> !accepted.containsKey(p)).toList();
        String why = "QuorumNotReached: " + got.size() + " of " + selected.size() + " updates by the deadline, quorum "
                + spec.minParticipants();
        RoundRecord record = new RoundRecord(round, attempt, RoundRecord.Outcome.FAILED, why, roundOpenedAt, now,
                List.copyOf(selected), got, silent, 0, new TreeMap<>(), sum(traffic, true), sum(traffic, false), traffic,
                EvalMetrics.NONE, EvalMetrics.NONE, Double.NaN, Double.NaN, List.copyOf(mask.trainable()), Map.of(), null);
        appendHistory(record);
        boolean retry = attempt < spec.maxRoundRetries();
        events.add(l -> l.roundFailed(spec.job(), record, retry));
        if (retry) {
            attempt++;
            avoid.addAll(silent);
            selected = new TreeSet<>(ParticipantSampler.select(spec, round, attempt, accepted.keySet(), avoid));
            openTry(now);
        } else {
            phase = JobPhase.FAILED;
            outcome = JobOutcome.of(JobOutcome.Kind.ROUND_FAILED, "round " + round + " failed " + (attempt + 1)
                    + " time(s); last: " + why);
            saveState();
            JobStatus st = status();
            events.add(l -> l.jobFinished(spec.job(), st));
        }
    }

    // ================================================================ finalization

    /** Runs on the driver once a round is closing: aggregates and opens the next round (or finishes). */
    private void finalizeRound() {
        int r;
        AdapterState before;
        AdapterState result;
        List<String> sel;
        Map<String, Accepted> got;
        TrainableMask roundMask;
        long openedAt;
        int tryNo;
        lock.lock();
        try {
            if (!closing || phase.finished()) {
                return;
            }
            r = round;
            tryNo = attempt;
            before = global;
            sel = List.copyOf(selected);
            got = new TreeMap<>(accepted);
            roundMask = mask;
            openedAt = roundOpenedAt;
            result = aggregator.result();
        } finally {
            lock.unlock();
        }
        try {
            Map<String, String> meta = new LinkedHashMap<>(spec.initialGlobal().metadata());
            meta.put(META_JOB, spec.job().toString());
            meta.put(META_VERSION, Integer.toString(r));
            AdapterState next = new AdapterState(result.tensors(), meta);
            byte[] bytes = SafetensorsCodec.encode(next, spec.wireDType());
            String digest = Digest.sha256Hex(bytes);
            store.putGlobal(r, bytes, digest);
            Map<String, Double> energy = FreezingPolicy.updateEnergy(before, next);
            EvalMetrics central = evaluateCentrally(r, next);
            EvalMetrics federated = federatedMetrics(got.values());
            double accuracy = central.hasAccuracy() ? central.accuracy() : federated.accuracy();
            double loss = !Double.isNaN(central.loss()) && central.examples() > 0 ? central.loss() : federated.loss();
            SortedMap<String, Long> examplesBy = new TreeMap<>();
            got.forEach((p, a) -> examplesBy.put(p, a.info().examples()));
            long examples = examplesBy.values().stream().mapToLong(Long::longValue).sum();
            List<Runnable> wake;
            lock.lock();
            try {
                long now = options.clock().millis();
                List<String> stragglers = sel.stream().filter(p -> !got.containsKey(p)).toList();
                RoundRecord record = new RoundRecord(r, tryNo, RoundRecord.Outcome.COMPLETED, "", openedAt, now, sel,
                        List.copyOf(got.keySet()), stragglers, examples, examplesBy, sum(traffic, true), sum(traffic, false),
                        traffic, federated, central, accuracy, loss, List.copyOf(roundMask.trainable()), energy, digest);
                appendHistory(record);
                completedRounds = r;
                global = next;
                globalBytes = bytes;
                globalDigest = digest;
                for (String n : roundMask.trainable()) {
                    lastChanged.put(n, r);
                }
                partials.clear();
                closing = false;
                events.add(l -> l.roundCompleted(spec.job(), record));
                var stop = StopRule.check(spec, history);
                if (stop.isPresent()) {
                    phase = JobPhase.SUCCEEDED;
                    outcome = stop.get();
                    saveState();
                    JobStatus st = status();
                    events.add(l -> l.jobFinished(spec.job(), st));
                } else {
                    round = r + 1;
                    attempt = 0;
                    avoid = new TreeSet<>();
                    accepted.clear();
                    mask = maskFor(round);
                    selected = new TreeSet<>(ParticipantSampler.select(spec, round));
                    openTry(now);
                }
                wake = takeWaiters();
            } finally {
                lock.unlock();
            }
            wake.forEach(Runnable::run);
            pruneQuietly(r + 1);
        } catch (RuntimeException e) {
            // A failure to store or aggregate must not leave the job hanging: it fails with the cause.
            // The last saved state still has this round open with its updates, so a restart retries it.
            LOG.log(System.Logger.Level.ERROR, "job " + spec.job() + ": closing round " + r + " failed", e);
            List<Runnable> wake;
            lock.lock();
            try {
                phase = JobPhase.FAILED;
                outcome = JobOutcome.of(JobOutcome.Kind.INTERNAL_ERROR, "closing round " + r + " failed: " + e);
                closing = false;
                JobStatus st = status();
                events.add(l -> l.jobFinished(spec.job(), st));
                wake = takeWaiters();
            } finally {
                lock.unlock();
            }
            wake.forEach(Runnable::run);
        }
        dispatchEvents();
    }

    private void pruneQuietly(int before) {
        if (options.keepUpdates()) {
            return;
        }
        try {
            store.pruneUpdatesBefore(before);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job " + spec.job() + ": cannot prune old update files", e);
        }
    }

    private EvalMetrics evaluateCentrally(int r, AdapterState next) {
        if (options.evaluator() == null) {
            return EvalMetrics.NONE;
        }
        try {
            EvalMetrics m = options.evaluator().evaluate(r, next);
            return m == null ? EvalMetrics.NONE : m;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job " + spec.job() + ": central evaluation of round " + r + " failed", e);
            return EvalMetrics.NONE;
        }
    }

    /** Clients' metrics of the incoming global adapter, weighted by their eval examples. */
    static EvalMetrics federatedMetrics(Iterable<Accepted> got) {
        double accSum = 0;
        double lossSum = 0;
        long accN = 0;
        long lossN = 0;
        long n = 0;
        for (Accepted a : got) {
            EvalMetrics m = a.info().eval();
            if (m.examples() <= 0) {
                continue;
            }
            n += m.examples();
            if (!Double.isNaN(m.accuracy())) {
                accSum += m.accuracy() * m.examples();
                accN += m.examples();
            }
            if (!Double.isNaN(m.loss())) {
                lossSum += m.loss() * m.examples();
                lossN += m.examples();
            }
        }
        return new EvalMetrics(accN == 0 ? Double.NaN : accSum / accN, lossN == 0 ? Double.NaN : lossSum / lossN, n);
    }

    // ================================================================ round opening, state

    private void start() {
        Map<String, String> meta = new LinkedHashMap<>(spec.initialGlobal().metadata());
        meta.put(META_JOB, spec.job().toString());
        meta.put(META_VERSION, "0");
        global = new AdapterState(spec.initialGlobal().tensors(), meta);
        globalBytes = SafetensorsCodec.encode(global, spec.wireDType());
        globalDigest = Digest.sha256Hex(globalBytes);
        store.putGlobal(0, globalBytes, globalDigest);
        completedRounds = 0;
        round = 1;
        attempt = 0;
        mask = maskFor(1);
        selected = new TreeSet<>(ParticipantSampler.select(spec, 1));
        openTry(options.clock().millis());
    }

    /** Opens a try of the current round: fresh deadline and aggregator (re-fed with accepted updates). */
    private void openTry(long now) {
        roundOpenedAt = now;
        deadline = now + spec.roundTimeout().toMillis();
        traffic = new TreeMap<>();
        if (attempt == 0 || aggregator == null) {
            aggregator = new StreamingFedAvg(global, mask);
        }
        saveState();
        int r = round;
        int a = attempt;
        int n = selected.size();
        events.add(l -> l.roundOpened(spec.job(), r, a, n));
    }

    private TrainableMask maskFor(int r) {
        if (spec.freezing() == null) {
            return TrainableMask.of(global.names());
        }
        List<Map<String, Double>> energies = new ArrayList<>();
        for (RoundRecord rec : history) {
            if (rec.completed()) {
                energies.add(rec.energy());
            }
        }
        TrainableMask m = spec.freezing().maskFor(r, energies);
        for (String n : m.trainable()) {
            if (!global.contains(n)) {
                throw new IllegalStateException("freezing policy '" + spec.freezingName() + "' marks tensor '" + n
                        + "' trainable in round " + r + ", but the adapter has no such tensor");
            }
        }
        if (m.size() == 0) {
            throw new IllegalStateException("freezing policy '" + spec.freezingName() + "' freezes every tensor in round " + r);
        }
        return m;
    }

    private void restore(CoordinatorSnapshot s) {
        if (!spec.job().toString().equals(s.job())) {
            throw new StoreCorruptedException("store " + store.describe() + " holds job " + s.job() + ", not " + spec.job());
        }
        phase = s.phase();
        outcome = s.outcomeOrLegacy();
        round = s.round();
        attempt = s.attempt();
        completedRounds = s.completedRounds();
        bytesUp = s.bytesUp();
        bytesDown = s.bytesDown();
        List<byte[]> records = store.history(s.historySize());
        for (int i = 0; i < records.size(); i++) {
            try {
                history.add(CoordinatorSnapshot.recordFromJson(records.get(i), store.describe()));
            } catch (IllegalArgumentException e) {
                throw new StoreCorruptedException("store " + store.describe() + ": history entry " + i + ": " + e.getMessage(), e);
            }
        }
        for (RoundRecord rec : history) {
            if (rec.completed()) {
                for (String n : rec.trainable()) {
                    lastChanged.put(n, rec.round());
                }
            }
        }
        globalBytes = store.global(completedRounds);
        globalDigest = Digest.sha256Hex(globalBytes);
        if (!globalDigest.equals(s.globalDigest())) {
            throw new StoreCorruptedException("store " + store.describe() + ": global adapter version " + completedRounds
                    + " has sha256 " + globalDigest + " but the saved state expects " + s.globalDigest());
        }
        try {
            global = SafetensorsCodec.decode(globalBytes);
        } catch (SafetensorsException e) {
            throw new StoreCorruptedException("store " + store.describe() + ": global adapter version " + completedRounds
                    + " does not decode: " + e.getMessage(), e);
        }
        if (phase.finished()) {
            return;
        }
        selected = new TreeSet<>(s.selected());
        avoid = new TreeSet<>(s.avoid());
        mask = TrainableMask.of(s.trainable());
        aggregator = new StreamingFedAvg(global, mask);
        var expected = new UpdateValidator.Expected(round, global, mask, spec.wireDType(), Long.MAX_VALUE);
        for (RoundStore.StoredUpdate u : store.updates(round)) {
            if (!selected.contains(u.participant())) {
                store.deleteUpdate(round, u.participant()); // stored while the round was being closed or re-sampled
                continue;
            }
            UpdateValidator.Valid valid;
            try {
                valid = UpdateValidator.validate(u.bytes(), expected);
            } catch (Rejection e) {
                throw new StoreCorruptedException("store " + store.describe() + ": stored update of '" + u.participant()
                        + "' for round " + round + " is invalid: " + e.getMessage());
            }
            aggregator.add(valid.update(), weight(u.participant(), valid.info()));
            accepted.put(u.participant(), new Accepted(u.sha256(), valid.info()));
        }
        if (!options.keepUpdates()) {
            store.pruneUpdatesBefore(round);
        }
        long now = options.clock().millis();
        roundOpenedAt = s.roundOpenedAtMillis();
        deadline = now + spec.roundTimeout().toMillis(); // give clients time to come back after the restart
        traffic = new TreeMap<>();
        int r = round;
        int a = attempt;
        int n = selected.size();
        events.add(l -> l.roundOpened(spec.job(), r, a, n));
    }

    /** Adds a record to the history, stored before the state that counts it. */
    private void appendHistory(RoundRecord record) {
        store.putHistory(history.size(), CoordinatorSnapshot.recordToJson(record));
        history.add(record);
    }

    private void saveState() {
        CoordinatorSnapshot s = new CoordinatorSnapshot(CoordinatorSnapshot.FORMAT, spec.job().toString(), phase,
                outcome == null ? "" : outcome.text(),
                round, attempt, completedRounds, globalDigest, roundOpenedAt, List.copyOf(selected), List.copyOf(avoid),
                mask == null ? List.of() : List.copyOf(mask.trainable()), bytesUp, bytesDown, history.size(), outcome);
        store.saveState(s.toJson());
    }

    private List<Runnable> takeWaiters() {
        List<Runnable> w = new ArrayList<>(waiters);
        waiters.clear();
        return w;
    }

    private static long sum(Map<String, Traffic> t, boolean up) {
        long s = 0;
        for (Traffic x : t.values()) {
            s += up ? x.up() : x.down();
        }
        return s;
    }

    /** Delivers queued events in order, outside the state lock, on whichever thread gets here first. */
    private void dispatchEvents() {
        while (!events.isEmpty()) {
            if (!eventLock.tryLock()) {
                return; // the holder delivers ours too: it loops until the queue is empty
            }
            try {
                Consumer<RoundListener> e;
                while ((e = events.poll()) != null) {
                    for (RoundListener l : options.listeners()) {
                        try {
                            e.accept(l);
                        } catch (RuntimeException ex) {
                            LOG.log(System.Logger.Level.WARNING, "job " + spec.job() + ": round listener failed", ex);
                        }
                    }
                }
            } finally {
                eventLock.unlock();
            }
        }
    }

    /** Stops the coordinator's own driver thread, letting a round being closed finish (up to 30 s). */
    @Override
    public void close() {
        if (ownDriver != null) {
            ownDriver.shutdown();
            try {
                if (!ownDriver.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "job " + spec.job() + ": round driver still busy after 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
