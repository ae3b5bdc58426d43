package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobOutcome;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.core.federation.Participant;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.SecureWire;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.UploadReceipt;
import io.fedtt.core.federation.store.RoundStore;
import io.fedtt.core.federation.store.StoreCorruptedException;
import io.fedtt.core.federation.strategy.AggregateResult;
import io.fedtt.core.federation.strategy.Strategy;
import io.fedtt.core.privacy.secagg.KeyAdvert;
import io.fedtt.core.privacy.secagg.Reveal;
import io.fedtt.core.privacy.secagg.SealedShare;
import io.fedtt.core.privacy.secagg.SecAggException;
import io.fedtt.core.privacy.secagg.SecureSum;
import io.fedtt.core.privacy.secagg.SecureVector;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Digest;
import io.fedtt.core.wire.WireLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>This class is the job's concurrency: one lock, the two-phase upload (admit under the lock,
 * validate and store outside it, count under it), deadline checks and the driver that closes
 * rounds. The rest has a class each: the round state and its transitions ({@link RoundMachine}),
 * the open try ({@link RoundTry}), durability ({@link CoordinatorPersistence}), the served adapter
 * bodies ({@link AdapterCache}), listener delivery ({@link RoundEvents}), byte counts
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
    private final CoordinatorPersistence persistence;
    private final RoundEvents events;
    private final TrafficMeter traffic = new TrafficMeter();
    private final Executor driver;
    private final ExecutorService ownDriver;
    private final Set<String> participants = new HashSet<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final WireLayout layout;

    // ---- guarded by lock
    private final RoundMachine state;
    private final Set<Runnable> waiters = new HashSet<>();
    /** Uploads being validated and stored, by participant: their sha256 (job-wide, across rounds). */
    private final Map<String, String> inFlight = new HashMap<>();

    private RoundCoordinator(FederationJobSpec spec, RoundStore store, CoordinatorOptions options) {
        this.spec = spec;
        this.options = options;
        this.persistence = new CoordinatorPersistence(spec, store, options.keepUpdates());
        this.events = new RoundEvents(spec.job(), options.listeners());
        this.layout = WireLayout.of(spec.initialGlobal());
        this.state = new RoundMachine(spec, options.strategyFor(spec), persistence, events, traffic);
        for (Participant p : spec.participants()) {
            participants.add(p.name());
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
                c.state.restore(saved.get(), options.clock());
            } else {
                c.state.start(options.clock());
            }
            closeNow = c.state.phase() == JobPhase.RUNNING && c.state.open().complete();
            if (closeNow) {
                c.state.open().setClosing(true);
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
        return participants.contains(name);
    }

    /** Where this job's wire traffic is counted (the server records into it; status reads it). */
    public TrafficMeter traffic() {
        return traffic;
    }

    public JobStatus status() {
        return locked(state::status);
    }

    public List<RoundRecord> history() {
        return locked(() -> List.copyOf(state.history()));
    }

    /** The current global adapter (the final one once the job is finished). */
    public AdapterState global() {
        return locked(() -> state.adapters().current().adapter());
    }

    /** Participants selected for the open round. */
    public List<String> selected() {
        return locked(() -> List.copyOf(state.open().selected()));
    }

    /** Participants whose update is accepted in the open round. */
    public List<String> received() {
        return locked(() -> List.copyOf(state.open().received()));
    }

    /** Deadline of the open round in epoch millis (0 when finished). */
    public long deadlineMillis() {
        return locked(() -> state.phase().finished() ? 0 : state.open().deadline());
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
            if (state.phase().finished()) {
                GlobalVersion g = state.adapters().current();
                String why = state.outcome() == null ? "" : state.outcome().text();
                return new TaskAnswer.Done(state.phase(), why, g.version(), g.digest());
            }
            if (state.open().round > after && state.open().awaits(participant)) {
                return new TaskAnswer.Work(state.task(participant));
            }
            if (onChange != null) {
                waiters.add(onChange);
            }
            return new TaskAnswer.Waiting(state.open().round);
        });
    }

    public void cancelWait(Runnable onChange) {
        locked(() -> waiters.remove(onChange));
    }

    // ================================================================ adapter

    /**
     * The global adapter round {@code forRound} trains from (the result of round forRound - 1). With
     * {@code since} = K > 0, the client holds the adapter of round K and gets only the tensors that
     * changed since (those trainable in a completed round >= K); with {@code since} <= 0, all of it.
     * {@code forRound} = completed rounds + 1 also names the final adapter once the job is done.
     */
    public AdapterPayload adapter(String participant, int forRound, int since) {
        return adapter(participant, forRound, since, false);
    }

    /** As {@link #adapter(String, int, int)}; {@code packed}: in the packed format and the job's encoding. */
    public AdapterPayload adapter(String participant, int forRound, int since, boolean packed) {
        requireParticipant(participant);
        return locked(() -> state.adapters().forRound(forRound, since, packed));
    }

    /** The tensors of this job's adapter as packed bodies and task masks refer to them. */
    public WireLayout layout() {
        return layout;
    }

    /**
     * The current (final, once finished) global adapter: the float32 master copy as stored, whatever
     * the job's encoding (what the operator writes to spec.output; its digest is the status's).
     */
    public AdapterPayload currentAdapter() {
        return locked(() -> state.adapters().master());
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
            if (state.phase().finished()) {
                throw new Rejection(Rejection.Kind.GONE, "job " + spec.job() + " is finished (" + state.phase()
                        + "); round " + round + " is closed");
            }
            if (spec.secure()) {
                throw new Rejection(Rejection.Kind.INVALID, "job " + spec.job() + " uses secure aggregation: updates"
                        + " are masked into the round's secure sum (.../rounds/" + round + "/secagg/" + participant
                        + "/masked), never uploaded in the clear");
            }
            UploadReceipt duplicate = state.open().admit(participant, round, digest);
            if (duplicate != null) {
                // Acknowledged again: the repeat's bytes went over the wire for this round.
                traffic.record(round, participant, body.length, 0);
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
            expected = state.expected(options.maxUpdateBytes());
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
                if (state.phase().finished() || !state.open().stillOpenFor(participant, round)) {
                    persistence.deleteUpdate(round, participant);
                    throw new Rejection(Rejection.Kind.GONE, "round " + round + " closed while the update from '"
                            + participant + "' was being stored");
                }
                // Counted before the round can close, so that the upload completing it is in its record.
                traffic.record(round, participant, body.length, 0);
                int received = state.add(participant, digest, valid);
                int of = state.open().selected().size();
                events.add(l -> l.updateAccepted(spec.job(), round, participant, received, of));
                if (received == of) {
                    state.open().setClosing(true);
                    startClose = true;
                } else {
                    saveProgress();
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

    /**
     * Saves the traffic counted so far with the round state. The update itself is already durable:
     * a failure here costs at most the byte counts since the last save, never the update.
     */
    private void saveProgress() {
        try {
            state.saveProgress();
        } catch (RuntimeException e) {
            System.getLogger(RoundCoordinator.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot save the traffic counts of job " + spec.job() + ": " + e.getMessage());
        }
    }

    private void requireParticipant(String participant) {
        if (!participants.contains(participant)) {
            throw new Rejection(Rejection.Kind.NOT_FOUND, "'" + participant + "' is not a participant of job " + spec.job());
        }
    }

    // ================================================================ secure aggregation

    /**
     * What {@code participant} sees of round {@code round}'s secure session, once it has reached
     * stage {@code atLeast}, or at once when {@code session} is not the try's session any more (a
     * retried or restarted round: start again) or null. Otherwise registers {@code onChange} (as
     * {@link #pollTask} does) and returns null.
     *
     * @throws Rejection GONE when the round, the job or the participant's part in the try is over
     */
    public SecureWire.View secureView(String participant, int round, String session, SecureSum.Stage atLeast,
            Runnable onChange) {
        requireParticipant(participant);
        return locked(() -> {
            RoundTry t = secureTry(participant, round);
            SecureSum s = t.secure();
            boolean ready = session == null || !session.equals(s.session()) || s.stage().compareTo(atLeast) >= 0
                    || t.closing();
            if (!ready) {
                if (onChange != null) {
                    waiters.add(onChange);
                }
                return null;
            }
            boolean roster = s.stage().compareTo(SecureSum.Stage.SHARE) >= 0;
            boolean mask = s.stage().compareTo(SecureSum.Stage.MASK) >= 0;
            boolean unmask = s.stage().compareTo(SecureSum.Stage.UNMASK) >= 0;
            return new SecureWire.View(s.session(), s.stage(), round, s.threshold(), state.weightOf(participant),
                    t.deadline(), roster ? s.roster() : List.of(), mask ? List.copyOf(s.contributors()) : List.of(),
                    mask ? s.inbox(participant) : List.of(), unmask ? List.copyOf(s.survivors()) : List.of(),
                    unmask ? List.copyOf(s.dropped()) : List.of());
        });
    }

    /** Stage 1: {@code participant}'s public keys for the session. */
    public void secureAdvertise(String participant, int round, String session, KeyAdvert keys, long bodyBytes) {
        secureStep(participant, round, session, bodyBytes, s -> s.advertise(keys));
    }

    /** Stage 2: {@code participant}'s sealed shares for the other members of the roster. */
    public void secureShare(String participant, int round, String session, List<SealedShare> shares, long bodyBytes) {
        secureStep(participant, round, session, bodyBytes, s -> s.share(participant, shares));
    }

    /** Stage 4: {@code participant}'s shares of the survivors' self masks and the dropped's masking keys. */
    public void secureReveal(String participant, int round, String session, List<Reveal> reveals, long bodyBytes) {
        secureStep(participant, round, session, bodyBytes, s -> s.reveal(participant, reveals));
    }

    /**
     * Stage 3: {@code participant}'s masked update ({@link SecureWire#masked}), added into the round's
     * secure sum; the individual input is not kept. An identical repeat is acknowledged and counted once.
     */
    public UploadReceipt secureMasked(String participant, int round, byte[] body) {
        requireParticipant(participant);
        String digest = Digest.sha256Hex(body);
        SecureWire.MaskedInput in;
        try {
            in = SecureWire.readMasked(body);
        } catch (IllegalArgumentException e) {
            throw new Rejection(Rejection.Kind.INVALID, "masked update of '" + participant + "': " + e.getMessage());
        }
        if (in.info().examples() > spec.maxExamplesPerUpdate()) {
            throw new Rejection(Rejection.Kind.INVALID, "masked update of '" + participant + "' claims "
                    + in.info().examples() + " examples, over the job's maxExamplesPerUpdate " + spec.maxExamplesPerUpdate());
        }
        int[] counts = new int[2];
        boolean[] added = new boolean[1];
        secureStep(participant, round, in.session(), body.length, s -> {
            added[0] = s.addMasked(participant, in.words(), digest);
            RoundTry t = state.open();
            counts[0] = added[0] ? t.acceptMasked(participant, digest, in.info()) : t.received().size();
            counts[1] = t.selected().size();
        });
        if (added[0]) {
            events.add(l -> l.updateAccepted(spec.job(), round, participant, counts[0], counts[1]));
            events.dispatch();
        }
        return new UploadReceipt(round, participant, digest, !added[0], counts[0], counts[1]);
    }

    /**
     * Runs one protocol message against the open try's session under the lock, counts its bytes, moves
     * the stages on and, once the threshold's shares are in, closes the try.
     */
    private void secureStep(String participant, int round, String session, long bodyBytes,
            java.util.function.Consumer<SecureSum> step) {
        requireParticipant(participant);
        boolean startClose = false;
        List<Runnable> wake = List.of();
        lock.lock();
        try {
            RoundTry t = secureTry(participant, round);
            SecureSum s = t.secure();
            if (!s.session().equals(session)) {
                throw new Rejection(Rejection.Kind.CONFLICT, "session " + session + " of round " + round
                        + " is over; the round's session is now " + s.session() + ": start again from its keys");
            }
            if (t.closing()) {
                throw new Rejection(Rejection.Kind.GONE, "round " + round + " is being aggregated");
            }
            try {
                step.accept(s);
            } catch (SecAggException e) {
                throw rejection(e);
            }
            traffic.record(round, participant, bodyBytes, 0);
            long now = options.clock().millis();
            boolean moved = SecureStages.advance(spec, t, now);
            if (s.canUnmask()) {
                t.setClosing(true);
                startClose = true;
                moved = true;
            }
            if (moved) {
                wake = takeWaiters();
            }
        } finally {
            lock.unlock();
        }
        wake.forEach(Runnable::run);
        if (startClose) {
            driver.execute(this::finalizeRound);
        }
    }

    /** The open try if it is round {@code round}'s, secure, and {@code participant} is selected in it. */
    private RoundTry secureTry(String participant, int round) {
        if (state.phase().finished()) {
            throw new Rejection(Rejection.Kind.GONE, "job " + spec.job() + " is finished (" + state.phase() + ")");
        }
        RoundTry t = state.open();
        if (round < t.round) {
            throw new Rejection(Rejection.Kind.GONE, "round " + round + " is closed; the open round is " + t.round);
        }
        if (round > t.round) {
            throw new Rejection(Rejection.Kind.NOT_FOUND, "round " + round + " is not open; the open round is " + t.round);
        }
        if (t.secure() == null) {
            throw new Rejection(Rejection.Kind.INVALID, "round " + round + " of job " + spec.job()
                    + " does not use secure aggregation");
        }
        if (!t.selected().contains(participant)) {
            throw new Rejection(Rejection.Kind.GONE, "'" + participant + "' is not selected for try " + t.attempt
                    + " of round " + round);
        }
        return t;
    }

    private static Rejection rejection(SecAggException e) {
        Rejection.Kind kind = switch (e.kind()) {
            case INVALID, CORRUPT -> Rejection.Kind.INVALID;
            case EXCLUDED, LATE -> Rejection.Kind.GONE;
            case CONFLICT -> Rejection.Kind.CONFLICT;
        };
        return new Rejection(kind, e.getMessage());
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
            RoundTry open = state.open();
            if (state.phase().finished() || open.closing() || now < open.deadline()) {
                return;
            }
            if (open.secure() != null) {
                String why = SecureStages.atDeadline(spec, open, now);
                if (why != null) {
                    state.failTry(now, why);
                }
                wake = takeWaiters();
            } else if (open.received().size() >= spec.minParticipants()) {
                open.setClosing(true);
                startClose = true;
            } else {
                state.failTry(now);
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

    // ================================================================ finalization

    /** Runs on the driver once a round is closing: aggregates and opens the next round (or finishes). */
    private void finalizeRound() {
        RoundTry closed = locked(() -> state.open().closing() && !state.phase().finished() ? state.open() : null);
        if (closed == null) {
            return;
        }
        int r = closed.round; // once closing, nothing is added to the try
        if (closed.secure() != null && !addSecureSum(closed)) {
            events.dispatch();
            return;
        }
        try {
            AggregateResult result = closed.aggregation().result();
            GlobalVersion next = GlobalVersion.of(spec, r, result.next());
            persistence.putGlobal(next);
            EvalMetrics central = evaluateCentrally(r, next.adapter());
            List<Runnable> wake;
            lock.lock();
            try {
                state.complete(closed, result, next, central, options.clock().millis());
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
                state.finish(JobPhase.FAILED, JobOutcome.of(JobOutcome.Kind.INTERNAL_ERROR,
                        "closing round " + r + " failed: " + e), false);
                wake = takeWaiters();
            } finally {
                lock.unlock();
            }
            wake.forEach(Runnable::run);
        }
        events.dispatch();
    }

    /**
     * Rebuilds a closing secure try's sum and adds it to the aggregation as one update: the weighted
     * mean with the total weight. A sum that cannot be rebuilt, or whose weight differs from what the
     * survivors claimed, fails the try (it is redone or the job fails) rather than being used.
     */
    private boolean addSecureSum(RoundTry closed) {
        AdapterState global = locked(() -> state.adapters().current().adapter());
        try {
            long[] sum = closed.secure().unmask();
            SecureVector.Mean mean = SecureVector.decode(sum, global, closed.trainable());
            double claimed = 0;
            for (var e : closed.accepted().entrySet()) {
                claimed += e.getValue().info().examples() * locked(() -> state.weightOf(e.getKey()));
            }
            if (Math.abs(mean.totalWeight() - claimed) > 1e-6 * claimed + 1e-3) {
                throw new IllegalArgumentException("the secure sum's weight " + mean.totalWeight()
                        + " differs from the " + closed.accepted().size() + " survivors' claimed examples times"
                        + " weights (" + claimed + "): a masked input was malformed");
            }
            Set<String> trainable = new HashSet<>(closed.trainable());
            closed.aggregation().add("secure sum of " + closed.accepted().size(), mean.mean().select(trainable::contains),
                    mean.totalWeight());
            return true;
        } catch (SecAggException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "job " + spec.job() + ": round " + closed.round
                    + " secure aggregation failed: " + e.getMessage());
            List<Runnable> wake;
            lock.lock();
            try {
                closed.setClosing(false);
                state.failTry(options.clock().millis(), "SecureAggregationFailed: " + e.getMessage());
                wake = takeWaiters();
            } finally {
                lock.unlock();
            }
            wake.forEach(Runnable::run);
            return false;
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
