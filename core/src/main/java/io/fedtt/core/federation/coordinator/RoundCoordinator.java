package io.fedtt.core.federation.coordinator;

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
import io.fedtt.core.federation.strategy.AggregateResult;
import io.fedtt.core.federation.strategy.ParticipantSampler;
import io.fedtt.core.federation.strategy.RoundContext;
import io.fedtt.core.federation.strategy.RoundPlan;
import io.fedtt.core.federation.strategy.Strategy;
import io.fedtt.core.federation.strategy.TaskConfig;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Digest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one owner of a job's round state. Rounds run 1..total: each is planned by the job's
 * {@link Strategy} (participants, trainable mask, task parameters), accepts their validated updates
 * into the strategy's aggregation (each written to the store before it is acknowledged), and closes
 * when every selected participant has reported, or at its deadline with at least the quorum.
 * Closing aggregates, stores the new global adapter, runs the optional central evaluation, records
 * the round in the history, checks the stop conditions and opens the next round. Below the quorum at
 * the deadline a round fails; it is retried (keeping the updates already accepted) up to
 * {@code maxRoundRetries} times, then the job fails.
 *
 * <p>This class is the state machine only: durability is {@link CoordinatorPersistence}, the served
 * adapter bodies {@link AdapterCache}, listener delivery {@link RoundEvents}, byte counts
 * {@link TrafficMeter}, and the method itself (sampling, FedAvg, FedTT+ freezing) the strategy.
 *
 * <p>Thread-safe: all state is guarded by one lock, held only for bookkeeping; decoding, validation,
 * disk writes of updates, aggregation results and evaluation happen outside it. Time comes from the
 * injected clock and deadlines are checked by {@link #checkDeadline()}, which the server calls
 * periodically (tests call it after moving their clock).
 *
 * <p>Restart: {@link #open} reloads the store. A job resumes its open round with every update
 * acknowledged before the stop re-fed into the aggregation (each once) and a fresh deadline, so that
 * clients have time to come back.
 */
public final class RoundCoordinator implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RoundCoordinator.class.getName());
    /** Metadata keys of every global adapter. */
    public static final String META_JOB = "fedtt.job";
    public static final String META_VERSION = "fedtt.version";

    private final FederationJobSpec spec;
    private final CoordinatorOptions options;
    private final Strategy strategy;
    private final CoordinatorPersistence persistence;
    private final RoundEvents events;
    private final TrafficMeter traffic = new TrafficMeter();
    private final Executor driver;
    private final ExecutorService ownDriver;
    private final Map<String, Participant> participants = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
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
    private TaskConfig task;
    private Strategy.Aggregation aggregation;
    private byte[] strategyState;
    private final TreeMap<String, Accepted> accepted = new TreeMap<>();
    private final Map<String, String> inFlight = new HashMap<>();
    private AdapterCache adapters;
    private final List<RoundRecord> history = new ArrayList<>();
    private TrainableMask trainableMask;
    private List<String> trainableList;

    private record Accepted(String digest, UpdateInfo info) {
    }

    private RoundCoordinator(FederationJobSpec spec, RoundStore store, CoordinatorOptions options) {
        this.spec = spec;
        this.options = options;
        this.strategy = options.strategyFor(spec);
        this.persistence = new CoordinatorPersistence(spec, store, options.keepUpdates());
        this.events = new RoundEvents(spec.job(), options.listeners());
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
            var saved = c.persistence.restore();
            if (saved.isPresent()) {
                c.restore(saved.get());
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
        c.events.dispatch();
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

    /** Where this job's wire traffic is counted (the server records into it; status reads it). */
    public TrafficMeter traffic() {
        return traffic;
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
            Traffic total = traffic.total();
            GlobalVersion g = adapters.current();
            return new JobStatus(spec.job().toString(), phase, outcome, round, attempt, spec.rounds(), g.version(),
                    phase.finished() ? 0 : selected.size(), phase.finished() ? 0 : accepted.size(),
                    phase.finished() ? 0 : deadline, last, best, total.up(), total.down(), g.digest());
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
            return adapters.current().adapter();
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
                GlobalVersion g = adapters.current();
                return new TaskAnswer.Done(phase, outcome == null ? "" : outcome.text(), g.version(), g.digest());
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
        return new RoundTask(spec.job().toString(), round, attempt, spec.rounds(), adapters.current().digest(),
                trainableList, task.localSteps(), task.localEpochs(), task.batchSize(), task.learningRate(),
                ParticipantSampler.trainingSeed(spec.seed(), round, participant), deadline, spec.wireDType());
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
            return adapters.forRound(forRound, since);
        } finally {
            lock.unlock();
        }
    }

    /** The current (final, once finished) global adapter as sent on the wire. */
    public AdapterPayload currentAdapter() {
        lock.lock();
        try {
            return adapters.full();
        } finally {
            lock.unlock();
        }
    }

    // ================================================================ uploads

    /**
     * Accepts {@code participant}'s update for {@code round}: validated, written to the store, then
     * added to the round's aggregation. Returns once it is durable; an identical repeat returns a
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
            events.dispatch();
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
            expected = expected(options.maxUpdateBytes());
        } finally {
            lock.unlock();
        }
        boolean startClose = false;
        UploadReceipt receipt;
        try {
            UpdateValidator.Valid valid = UpdateValidator.validate(body, expected);
            persistence.putUpdate(round, participant, body, digest);
            lock.lock();
            try {
                inFlight.remove(participant);
                if (phase.finished() || this.round != round || closing || !selected.contains(participant)) {
                    persistence.deleteUpdate(round, participant);
                    throw new Rejection(Rejection.Kind.GONE, "round " + round + " closed while the update from '"
                            + participant + "' was being stored");
                }
                addAccepted(participant, digest, valid);
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
        events.dispatch();
        if (startClose) {
            driver.execute(this::finalizeRound);
        }
        return receipt;
    }

    /** What an update of the open round must look like. */
    private UpdateValidator.Expected expected(long maxBytes) {
        return new UpdateValidator.Expected(round, adapters.current().adapter(), mask, spec.wireDType(), maxBytes);
    }

    /** Counts a valid update of the open round: into the aggregation, weighted by examples x participant weight. */
    private void addAccepted(String participant, String digest, UpdateValidator.Valid valid) {
        aggregation.add(participant, valid.update(), valid.info().examples() * participants.get(participant).weight());
        accepted.put(participant, new Accepted(digest, valid.info()));
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
        events.dispatch();
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
        SortedMap<String, Traffic> bytes = traffic.roundTraffic();
        Traffic sum = TrafficMeter.sum(bytes);
        RoundRecord record = new RoundRecord(round, attempt, RoundRecord.Outcome.FAILED, why, roundOpenedAt, now,
                List.copyOf(selected), got, silent, 0, new TreeMap<>(), sum.up(), sum.down(), bytes,
                EvalMetrics.NONE, EvalMetrics.NONE, Double.NaN, Double.NaN, List.copyOf(mask.trainable()), Map.of(), null);
        appendHistory(record);
        boolean retry = attempt < spec.maxRoundRetries();
        events.add(l -> l.roundFailed(spec.job(), record, retry));
        if (retry) {
            attempt++;
            avoid.addAll(silent);
            plan(now);
        } else {
            finish(JobPhase.FAILED, JobOutcome.of(JobOutcome.Kind.ROUND_FAILED, "round " + round + " failed "
                    + (attempt + 1) + " time(s); last: " + why));
        }
    }

    // ================================================================ finalization

    /** Runs on the driver once a round is closing: aggregates and opens the next round (or finishes). */
    private void finalizeRound() {
        int r;
        Strategy.Aggregation closed;
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
            sel = List.copyOf(selected);
            got = new TreeMap<>(accepted);
            roundMask = mask;
            openedAt = roundOpenedAt;
            closed = aggregation; // no update is added once closing is set
        } finally {
            lock.unlock();
        }
        try {
            AggregateResult result = closed.result();
            GlobalVersion next = GlobalVersion.of(spec, r, result.next());
            persistence.putGlobal(next);
            EvalMetrics central = evaluateCentrally(r, next.adapter());
            EvalMetrics federated = EvalMetrics.weightedMean(got.values().stream().map(a -> a.info().eval()).toList());
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
                SortedMap<String, Traffic> bytes = traffic.roundTraffic();
                Traffic sum = TrafficMeter.sum(bytes);
                RoundRecord record = new RoundRecord(r, tryNo, RoundRecord.Outcome.COMPLETED, "", openedAt, now, sel,
                        List.copyOf(got.keySet()), stragglers, examples, examplesBy, sum.up(), sum.down(), bytes,
                        federated, central, accuracy, loss, List.copyOf(roundMask.trainable()), result.energy(),
                        next.digest());
                appendHistory(record);
                adapters.advance(next, roundMask.trainable());
                strategyState = result.serverState();
                closing = false;
                events.add(l -> l.roundCompleted(spec.job(), record));
                var stop = StopRule.check(spec, history);
                if (stop.isPresent()) {
                    finish(JobPhase.SUCCEEDED, stop.get());
                } else {
                    round = r + 1;
                    attempt = 0;
                    avoid = new TreeSet<>();
                    accepted.clear();
                    plan(now);
                }
                wake = takeWaiters();
            } finally {
                lock.unlock();
            }
            wake.forEach(Runnable::run);
            persistence.pruneQuietly(r + 1);
        } catch (RuntimeException e) {
            // A failure to store or aggregate must not leave the job hanging: it fails with the cause.
            // The last saved state still has this round open with its updates, so a restart retries it.
            LOG.log(System.Logger.Level.ERROR, "job " + spec.job() + ": closing round " + r + " failed", e);
            List<Runnable> wake;
            lock.lock();
            try {
                closing = false;
                finish(JobPhase.FAILED, JobOutcome.of(JobOutcome.Kind.INTERNAL_ERROR,
                        "closing round " + r + " failed: " + e), false);
                wake = takeWaiters();
            } finally {
                lock.unlock();
            }
            wake.forEach(Runnable::run);
        }
        events.dispatch();
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

    // ================================================================ round opening, state

    private void start() {
        GlobalVersion initial = GlobalVersion.of(spec, 0, spec.initialGlobal());
        persistence.putGlobal(initial);
        adapters = new AdapterCache(spec.wireDType(), initial);
        round = 1;
        attempt = 0;
        plan(options.clock().millis());
    }

    /**
     * Asks the strategy for the plan of the current round's try and opens it. A retry keeps the
     * mask its accepted updates were trained on, and those updates.
     */
    private void plan(long now) {
        TrainableMask open = attempt > 0 ? mask : null;
        RoundPlan p = strategy.configureRound(new RoundContext(spec, round, attempt, adapters.current().adapter(),
                history, accepted.keySet(), avoid, open));
        checkPlan(p, open);
        mask = p.mask();
        task = p.task();
        selected = new TreeSet<>(p.participants());
        openTry(now);
    }

    private void checkPlan(RoundPlan p, TrainableMask open) {
        String who = "strategy '" + strategy.name() + "' (freezing policy '" + spec.freezingName() + "')";
        AdapterState global = adapters.current().adapter();
        for (String n : p.mask().trainable()) {
            if (!global.contains(n)) {
                throw new IllegalStateException(who + " marks tensor '" + n + "' trainable in round " + round
                        + ", but the adapter has no such tensor");
            }
        }
        if (p.mask().size() == 0) {
            throw new IllegalStateException(who + " freezes every tensor in round " + round);
        }
        if (open != null && !open.equals(p.mask())) {
            throw new IllegalStateException(who + " changed the mask of round " + round + " on a retry");
        }
        if (p.participants().isEmpty() || !p.participants().stream().allMatch(participants::containsKey)
                || !p.participants().containsAll(accepted.keySet())) {
            throw new IllegalStateException(who + " selected " + p.participants() + " for round " + round
                    + ": must be job participants, at least one, including those already accepted " + accepted.keySet());
        }
    }

    /** Opens a try of the current round: fresh deadline and traffic tally, a new aggregation on attempt 0. */
    private void openTry(long now) {
        roundOpenedAt = now;
        deadline = now + spec.roundTimeout().toMillis();
        traffic.openRound(round);
        if (attempt == 0 || aggregation == null) {
            aggregation = strategy.startAggregation(adapters.current().adapter(), mask, strategyState);
        }
        saveState();
        int r = round;
        int a = attempt;
        int n = selected.size();
        events.add(l -> l.roundOpened(spec.job(), r, a, n));
    }

    /** Ends the job: saves the final state (unless saving is what failed) and tells the listeners. */
    private void finish(JobPhase end, JobOutcome why) {
        finish(end, why, true);
    }

    private void finish(JobPhase end, JobOutcome why, boolean save) {
        phase = end;
        outcome = why;
        traffic.closeRounds();
        if (save) {
            saveState();
        }
        JobStatus st = status();
        events.add(l -> l.jobFinished(spec.job(), st));
    }

    private void restore(CoordinatorPersistence.Restored saved) {
        CoordinatorSnapshot s = saved.snapshot();
        phase = s.phase();
        outcome = s.outcomeOrLegacy();
        round = s.round();
        attempt = s.attempt();
        traffic.restoreTotals(s.bytesUp(), s.bytesDown());
        history.addAll(saved.history());
        adapters = new AdapterCache(spec.wireDType(), saved.global());
        for (RoundRecord rec : history) {
            if (rec.completed()) {
                adapters.markChanged(rec.trainable(), rec.round());
            }
        }
        strategyState = s.strategyState();
        if (phase.finished()) {
            return;
        }
        selected = new TreeSet<>(s.selected());
        avoid = new TreeSet<>(s.avoid());
        mask = TrainableMask.of(s.trainable());
        task = s.task() != null ? s.task() : TaskConfig.of(spec);
        aggregation = strategy.startAggregation(adapters.current().adapter(), mask, strategyState);
        persistence.refeed(selected, expected(Long.MAX_VALUE), this::addAccepted);
        roundOpenedAt = s.roundOpenedAtMillis();
        deadline = options.clock().millis() + spec.roundTimeout().toMillis(); // time for clients to come back
        traffic.openRound(round);
        int r = round;
        int a = attempt;
        int n = selected.size();
        events.add(l -> l.roundOpened(spec.job(), r, a, n));
    }

    /** Adds a record to the history, stored before the state that counts it. */
    private void appendHistory(RoundRecord record) {
        persistence.appendHistory(history.size(), record);
        history.add(record);
    }

    private void saveState() {
        Traffic total = traffic.total();
        GlobalVersion g = adapters.current();
        persistence.save(new CoordinatorSnapshot(CoordinatorSnapshot.FORMAT, spec.job().toString(), phase,
                outcome == null ? "" : outcome.text(), round, attempt, g.version(), g.digest(), roundOpenedAt,
                List.copyOf(selected), List.copyOf(avoid), mask == null ? List.of() : List.copyOf(mask.trainable()),
                total.up(), total.down(), history.size(), outcome, task, strategyState));
    }

    private List<Runnable> takeWaiters() {
        List<Runnable> w = new ArrayList<>(waiters);
        waiters.clear();
        return w;
    }

    /** Stops the coordinator's own driver thread, letting a round being closed finish (up to 30 s). */
    @Override
    public void close() {
        if (ownDriver != null) {
            ownDriver.shutdown();
            try {
                if (!ownDriver.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "job " + spec.job() + ": round driver still busy after 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
