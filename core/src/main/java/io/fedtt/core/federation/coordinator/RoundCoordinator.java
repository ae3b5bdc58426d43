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
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The one owner of a job's round state. Rounds run 1..total: each is planned by the job's
 * {@link Strategy} (participants, trainable mask, task parameters), accepts their validated updates
 * into the strategy's aggregation (each written to the store before it is acknowledged), and closes
 * when every selected participant has reported, or at its deadline with at least the quorum.
 * Closing aggregates, stores the new global adapter, runs the optional central evaluation, records
 * the round in the history, checks the stop conditions and opens the next round. Below the quorum at
 * the deadline a round's try fails; the round is retried (keeping the updates already accepted) up
 * to {@code maxRoundRetries} times, then the job fails.
 *
 * <p>This class is the state machine and the order of its durable writes; the rest has a class
 * each: the open try ({@link RoundTry}), durability ({@link CoordinatorPersistence}), the served
 * adapter bodies ({@link AdapterCache}), listener delivery ({@link RoundEvents}), byte counts
 * ({@link TrafficMeter}) and the method itself (sampling, FedAvg, FedTT+ freezing: the strategy).
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
    private RoundTry open;
    /** Uploads being validated and stored, by participant: their sha256 (job-wide, across rounds). */
    private final Map<String, String> inFlight = new HashMap<>();
    private AdapterCache adapters;
    private final List<RoundRecord> history = new ArrayList<>();
    private byte[] strategyState;

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
            closeNow = c.phase == JobPhase.RUNNING && c.open.complete();
            if (closeNow) {
                c.open.setClosing(true);
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
        return locked(() -> {
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
            boolean done = phase.finished();
            return new JobStatus(spec.job().toString(), phase, outcome, open.round, open.attempt, spec.rounds(),
                    g.version(), done ? 0 : open.selected().size(), done ? 0 : open.received().size(),
                    done ? 0 : open.deadline, last, best, total.up(), total.down(), g.digest());
        });
    }

    public List<RoundRecord> history() {
        return locked(() -> List.copyOf(history));
    }

    /** The current global adapter (the final one once the job is finished). */
    public AdapterState global() {
        return locked(() -> adapters.current().adapter());
    }

    /** Participants selected for the open round. */
    public List<String> selected() {
        return locked(() -> List.copyOf(open.selected()));
    }

    /** Participants whose update is accepted in the open round. */
    public List<String> received() {
        return locked(() -> List.copyOf(open.received()));
    }

    /** Deadline of the open round in epoch millis (0 when finished). */
    public long deadlineMillis() {
        return locked(() -> phase.finished() ? 0 : open.deadline);
    }

    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
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
        return locked(() -> {
            if (phase.finished()) {
                GlobalVersion g = adapters.current();
                return new TaskAnswer.Done(phase, outcome == null ? "" : outcome.text(), g.version(), g.digest());
            }
            if (open.round > after && open.awaits(participant)) {
                return new TaskAnswer.Work(taskFor(participant));
            }
            if (onChange != null) {
                waiters.add(onChange);
            }
            return new TaskAnswer.Waiting(open.round);
        });
    }

    public void cancelWait(Runnable onChange) {
        locked(() -> waiters.remove(onChange));
    }

    private RoundTask taskFor(String participant) {
        TaskConfig t = open.task();
        return new RoundTask(spec.job().toString(), open.round, open.attempt, spec.rounds(), adapters.current().digest(),
                open.trainable(), t.localSteps(), t.localEpochs(), t.batchSize(), t.learningRate(),
                ParticipantSampler.trainingSeed(spec.seed(), open.round, participant), open.deadline, spec.wireDType());
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
        return locked(() -> adapters.forRound(forRound, since));
    }

    /** The current (final, once finished) global adapter as sent on the wire. */
    public AdapterPayload currentAdapter() {
        return locked(adapters::full);
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
            if (phase.finished()) {
                throw new Rejection(Rejection.Kind.GONE, "job " + spec.job() + " is finished (" + phase + "); round "
                        + round + " is closed");
            }
            UploadReceipt duplicate = open.admit(participant, round, digest);
            if (duplicate != null) {
                return duplicate;
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
                if (phase.finished() || !open.stillOpenFor(participant, round)) {
                    persistence.deleteUpdate(round, participant);
                    throw new Rejection(Rejection.Kind.GONE, "round " + round + " closed while the update from '"
                            + participant + "' was being stored");
                }
                int received = addAccepted(participant, digest, valid);
                int of = open.selected().size();
                events.add(l -> l.updateAccepted(spec.job(), round, participant, received, of));
                if (received == of) {
                    open.setClosing(true);
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
        return new UpdateValidator.Expected(open.round, adapters.current().adapter(), open.mask(), spec.wireDType(),
                maxBytes);
    }

    /** Counts a valid update into the open try, weighted by its examples times the participant's weight. */
    private int addAccepted(String participant, String digest, UpdateValidator.Valid valid) {
        double weight = valid.info().examples() * participants.get(participant).weight();
        return open.add(participant, digest, valid.info(), valid.update(), weight);
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
            if (phase.finished() || open.closing() || now < open.deadline) {
                return;
            }
            if (open.received().size() >= spec.minParticipants()) {
                open.setClosing(true);
                startClose = true;
            } else {
                failTry(now);
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

    private void failTry(long now) {
        RoundTry failed = open;
        String why = "QuorumNotReached: " + failed.received().size() + " of " + failed.selected().size()
                + " updates by the deadline, quorum " + spec.minParticipants();
        RoundRecord record = failed.failed(why, now, traffic.roundTraffic());
        appendHistory(record);
        boolean retry = failed.attempt < spec.maxRoundRetries();
        events.add(l -> l.roundFailed(spec.job(), record, retry));
        if (retry) {
            Set<String> avoid = failed.avoidAfterThis();
            RoundPlan p = plan(failed.round, failed.attempt + 1, failed.received(), avoid, failed.mask());
            openTry(failed.retry(p, avoid, now, spec.roundTimeout().toMillis()));
        } else {
            finish(JobPhase.FAILED, JobOutcome.of(JobOutcome.Kind.ROUND_FAILED, "round " + failed.round + " failed "
                    + (failed.attempt + 1) + " time(s); last: " + why), true);
        }
    }

    // ================================================================ finalization

    /** Runs on the driver once a round is closing: aggregates and opens the next round (or finishes). */
    private void finalizeRound() {
        RoundTry closed = locked(() -> open.closing() && !phase.finished() ? open : null);
        if (closed == null) {
            return;
        }
        int r = closed.round; // once closing, nothing is added to the try
        try {
            AggregateResult result = closed.aggregation().result();
            GlobalVersion next = GlobalVersion.of(spec, r, result.next());
            persistence.putGlobal(next);
            EvalMetrics central = evaluateCentrally(r, next.adapter());
            List<Runnable> wake;
            lock.lock();
            try {
                long now = options.clock().millis();
                RoundRecord record = closed.completed(now, traffic.roundTraffic(), central, result.energy(), next.digest());
                appendHistory(record);
                adapters.advance(next, closed.mask().trainable());
                strategyState = result.serverState();
                closed.setClosing(false);
                events.add(l -> l.roundCompleted(spec.job(), record));
                var stop = StopRule.check(spec, history);
                if (stop.isPresent()) {
                    finish(JobPhase.SUCCEEDED, stop.get(), true);
                } else {
                    openRound(r + 1, now);
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
                closed.setClosing(false);
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

    /** Ends the job: saves the final state (unless saving is what failed) and tells the listeners. */
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

    // ================================================================ round opening, state

    private void start() {
        GlobalVersion initial = GlobalVersion.of(spec, 0, spec.initialGlobal());
        persistence.putGlobal(initial);
        adapters = new AdapterCache(spec.wireDType(), initial);
        openRound(1, options.clock().millis());
    }

    /** Opens round {@code r}'s first try, as the strategy plans it, with a fresh aggregation. */
    private void openRound(int r, long now) {
        RoundPlan p = plan(r, 0, Set.of(), Set.of(), null);
        Strategy.Aggregation aggregation = strategy.startAggregation(adapters.current().adapter(), p.mask(), strategyState);
        openTry(new RoundTry(r, 0, p, Set.of(), aggregation, new TreeMap<>(), now, now + spec.roundTimeout().toMillis()));
    }

    /** The strategy's plan of a try, checked against the adapter, the participants and the try it retries. */
    private RoundPlan plan(int r, int attempt, Set<String> keep, Set<String> avoid, TrainableMask retried) {
        RoundPlan p = strategy.configureRound(new RoundContext(spec, r, attempt, adapters.current().adapter(),
                history, keep, avoid, retried));
        String who = "strategy '" + strategy.name() + "' (freezing policy '" + spec.freezingName() + "')";
        for (String n : p.mask().trainable()) {
            if (!adapters.current().adapter().contains(n)) {
                throw new IllegalStateException(who + " marks tensor '" + n + "' trainable in round " + r
                        + ", but the adapter has no such tensor");
            }
        }
        if (p.mask().size() == 0) {
            throw new IllegalStateException(who + " freezes every tensor in round " + r);
        }
        if (retried != null && !retried.equals(p.mask())) {
            throw new IllegalStateException(who + " changed the mask of round " + r + " on a retry");
        }
        if (p.participants().isEmpty() || !participants.keySet().containsAll(p.participants())
                || !p.participants().containsAll(keep)) {
            throw new IllegalStateException(who + " selected " + p.participants() + " for round " + r
                    + ": must be participants of the job, at least one, including those already in " + keep);
        }
        return p;
    }

    private void openTry(RoundTry t) {
        open = t;
        traffic.openRound(t.round);
        saveState();
        int n = t.selected().size();
        events.add(l -> l.roundOpened(spec.job(), t.round, t.attempt, n));
    }

    private void restore(CoordinatorPersistence.Restored saved) {
        CoordinatorSnapshot s = saved.snapshot();
        phase = s.phase();
        outcome = s.outcomeOrLegacy();
        traffic.restoreTotals(s.bytesUp(), s.bytesDown());
        history.addAll(saved.history());
        adapters = new AdapterCache(spec.wireDType(), saved.global());
        for (RoundRecord rec : history) {
            if (rec.completed()) {
                adapters.markChanged(rec.trainable(), rec.round());
            }
        }
        strategyState = s.strategyState();
        TrainableMask mask = TrainableMask.of(s.trainable());
        TaskConfig task = s.task() != null ? s.task() : TaskConfig.of(spec);
        if (phase.finished()) {
            open = new RoundTry(s.round(), s.attempt(), new RoundPlan(List.of(), mask, task), Set.of(), null,
                    new TreeMap<>(), s.roundOpenedAtMillis(), 0);
            return;
        }
        Strategy.Aggregation aggregation = strategy.startAggregation(adapters.current().adapter(), mask, strategyState);
        long deadline = options.clock().millis() + spec.roundTimeout().toMillis(); // time for clients to come back
        open = new RoundTry(s.round(), s.attempt(), new RoundPlan(s.selected(), mask, task), Set.copyOf(s.avoid()),
                aggregation, new TreeMap<>(), s.roundOpenedAtMillis(), deadline);
        persistence.refeed(open.selected(), expected(Long.MAX_VALUE), this::addAccepted);
        traffic.openRound(open.round);
        int r = open.round;
        int a = open.attempt;
        int n = open.selected().size();
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
                outcome == null ? "" : outcome.text(), open.round, open.attempt, g.version(), g.digest(), open.openedAt,
                List.copyOf(open.selected()), List.copyOf(open.avoid()), List.copyOf(open.mask().trainable()),
                total.up(), total.down(), history.size(), outcome, open.task(), strategyState));
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
