package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobOutcome;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.core.federation.Participant;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.Traffic;
import io.fedtt.core.federation.budget.RoundBudget;
import io.fedtt.core.federation.strategy.AggregateResult;
import io.fedtt.core.federation.strategy.ParticipantSampler;
import io.fedtt.core.federation.strategy.RoundContext;
import io.fedtt.core.federation.strategy.RoundPlan;
import io.fedtt.core.federation.strategy.Strategy;
import io.fedtt.core.federation.strategy.TaskConfig;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.privacy.secagg.SecureSum;
import io.fedtt.core.privacy.secagg.SecureVector;
import io.fedtt.core.wire.WireLayout;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A job's round state and its transitions: start or restore, count an update, fail a try (retry or
 * fail the job), complete a round (next round or finish). Each transition writes what it must,
 * in order, before it is visible: history entry and global adapter before the snapshot that counts
 * them. Not thread-safe: {@link RoundCoordinator} calls it under its lock and does the slow parts
 * (validation, aggregation result, evaluation) outside.
 */
final class RoundMachine {

    private final FederationJobSpec spec;
    private final Strategy strategy;
    private final CoordinatorPersistence persistence;
    private final RoundEvents events;
    private final TrafficMeter traffic;
    private final Map<String, Double> weights = new HashMap<>();
    /** The adapter's tensors as both ends know them from the job: what packed bodies refer to. */
    private final WireLayout layout;

    private JobPhase phase = JobPhase.RUNNING;
    private JobOutcome outcome;
    private RoundTry open;
    private AdapterCache adapters;
    private final List<RoundRecord> history = new ArrayList<>();
    private byte[] strategyState;

    RoundMachine(FederationJobSpec spec, Strategy strategy, CoordinatorPersistence persistence, RoundEvents events,
                 TrafficMeter traffic) {
        this.spec = spec;
        this.strategy = strategy;
        this.persistence = persistence;
        this.events = events;
        this.traffic = traffic;
        this.layout = WireLayout.of(spec.initialGlobal());
        for (Participant p : spec.participants()) {
            weights.put(p.name(), p.weight());
        }
    }

    // ================================================================ reading

    JobPhase phase() {
        return phase;
    }

    JobOutcome outcome() {
        return outcome;
    }

    /** The open round's try (the last one once the job is finished). */
    RoundTry open() {
        return open;
    }

    AdapterCache adapters() {
        return adapters;
    }

    List<RoundRecord> history() {
        return history;
    }

    JobStatus status() {
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
                done ? 0 : open.deadline(), last, best, total.up(), total.down(), g.digest());
    }

    /** The open try's task for {@code participant}. */
    RoundTask task(String participant) {
        TaskConfig t = open.task();
        return new RoundTask(spec.job().toString(), open.round, open.attempt, spec.rounds(), adapters.full().digest(),
                open.trainable(), t.localSteps(), t.localEpochs(), t.batchSize(), t.learningRate(),
                ParticipantSampler.trainingSeed(spec.seed(), open.round, participant), open.deadline(), spec.wireDType(),
                t.proximalMu(), spec.encoding(), adapters.packedFull().digest(),
                spec.secure() ? spec.secureAggregation().threshold() : 0);
    }

    /** A participant's configured weight (its update counts examples times this). */
    double weightOf(String participant) {
        return weights.get(participant);
    }

    /** A secure round's new session for a try of {@code plan}; null without secure aggregation. */
    private SecureSum sessionFor(RoundPlan plan) {
        if (!spec.secure()) {
            return null;
        }
        return new SecureSum(SecureStages.newSession(), plan.participants(), spec.secureAggregation().threshold(),
                SecureVector.length(adapters.current().adapter(), plan.mask().trainable()));
    }

    /** What an update of the open round must look like. */
    UpdateValidator.Expected expected(long maxBytes) {
        return new UpdateValidator.Expected(open.round, adapters.current().adapter(), open.mask(), spec.wireDType(),
                maxBytes, spec.maxExamplesPerUpdate(), spec.encoding(), layout);
    }

    // ================================================================ transitions

    /** A new job: stores the initial global adapter and opens round 1. */
    void start(Clock clock) {
        GlobalVersion initial = GlobalVersion.of(spec, 0, spec.initialGlobal());
        persistence.putGlobal(initial);
        adapters = new AdapterCache(spec.wireDType(), spec.encoding(), layout, initial);
        openRound(1, clock.millis());
    }

    /**
     * A job that ran before: its saved state, and for a running job its open try with every stored
     * update re-fed and a fresh deadline (clients need time to come back after the restart).
     */
    void restore(CoordinatorPersistence.Restored saved, Clock clock) {
        CoordinatorSnapshot s = saved.snapshot();
        phase = s.phase();
        outcome = s.outcomeOrLegacy();
        traffic.restoreTotals(s.bytesUp(), s.bytesDown());
        traffic.restoreRejected(s.rejectedUp(), s.rejectedDown());
        history.addAll(saved.history());
        adapters = new AdapterCache(spec.wireDType(), spec.encoding(), layout, saved.global());
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
        RoundPlan resumed = new RoundPlan(s.selected(), mask, task);
        // A secure round restarts its session: the masked sum and the clients' keys of the old one are gone.
        open = new RoundTry(s.round(), s.attempt(), resumed, Set.copyOf(s.avoid()), aggregation, new TreeMap<>(),
                s.roundOpenedAtMillis(), 0, sessionFor(resumed));
        if (!spec.secure()) {
            persistence.refeed(open.selected(), expected(Long.MAX_VALUE), this::add);
        }
        open.resetDeadline(clock.millis() + spec.roundTimeout().toMillis());
        traffic.openRound(open.round, open.selected());
        if (s.roundTraffic() != null) {
            traffic.restoreRoundTraffic(s.roundTraffic());
        }
        int r = open.round;
        int a = open.attempt;
        int n = open.selected().size();
        events.add(l -> l.roundOpened(spec.job(), r, a, n));
    }

    /** Counts a valid update into the open try, weighted by its examples times the participant's weight. */
    int add(String participant, String digest, UpdateValidator.Valid valid) {
        double weight = valid.info().examples() * weights.get(participant);
        return open.add(participant, digest, valid.info(), valid.update(), weight);
    }

    /** The open try's deadline passed below the quorum: it is retried, or the job fails. */
    void failTry(long now) {
        failTry(now, "QuorumNotReached: " + open.received().size() + " of " + open.selected().size()
                + " updates by the deadline, quorum " + spec.minParticipants());
    }

    /**
     * The open try failed for {@code why}: it is retried, or the job fails. A secure round's retry is a
     * new session from scratch; a plain round's keeps the updates already accepted.
     */
    void failTry(long now, String why) {
        RoundTry failed = open;
        RoundRecord record = failed.failed(why, now, traffic.roundTraffic());
        appendHistory(record);
        boolean retry = failed.attempt < spec.maxRoundRetries();
        events.add(l -> l.roundFailed(spec.job(), record, retry));
        if (retry && failed.secure() != null) {
            Set<String> avoid = failed.avoidAfterThis();
            RoundPlan p = plan(failed.round, failed.attempt + 1, Set.of(), avoid, failed.mask());
            openTry(failed.retrySecure(p, avoid, now, spec.roundTimeout().toMillis(), sessionFor(p),
                    strategy.startAggregation(adapters.current().adapter(), p.mask(), strategyState)));
        } else if (retry) {
            Set<String> avoid = failed.avoidAfterThis();
            RoundPlan p = plan(failed.round, failed.attempt + 1, failed.received(), avoid, failed.mask());
            Traffic used = traffic.total();
            Optional<RoundPlan> fitted = RoundBudget.fitRetry(spec, failed.round, failed.attempt + 1, p,
                    failed.received(), adapters.current().adapter(), history, used.up() + used.down());
            if (fitted.isEmpty()) {
                finish(JobPhase.SUCCEEDED, JobOutcome.of(JobOutcome.Kind.BUDGET_EXHAUSTED, (used.up() + used.down())
                        + " of communication.budgetBytes " + spec.budgetBytes() + " used when round " + failed.round
                        + " failed (" + why + "); its retry would not fit"), true);
                return;
            }
            openTry(failed.retry(fitted.get(), avoid, now, spec.roundTimeout().toMillis()));
        } else {
            finish(JobPhase.FAILED, JobOutcome.of(JobOutcome.Kind.ROUND_FAILED, "round " + failed.round + " failed "
                    + (failed.attempt + 1) + " time(s); last: " + why), true);
        }
    }

    /**
     * The closing try aggregated into {@code next} (already stored): records the round, makes
     * {@code next} the global adapter, and opens the next round or finishes.
     */
    void complete(RoundTry closed, AggregateResult result, GlobalVersion next, EvalMetrics central, long now) {
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
            openRound(closed.round + 1, now);
        }
    }

    /**
     * Ends the job: saves the final state unless saving is what failed (then the last saved state
     * still has the round open with its updates, and a restart retries it), and tells the listeners.
     */
    void finish(JobPhase end, JobOutcome why, boolean save) {
        phase = end;
        outcome = why;
        traffic.closeRounds();
        if (save) {
            saveState();
        }
        JobStatus st = status();
        events.add(l -> l.jobFinished(spec.job(), st));
    }

    // ================================================================ opening rounds

    /** Opens round {@code r}'s first try, as the strategy plans it, with a fresh aggregation. */
    private void openRound(int r, long now) {
        RoundPlan planned = plan(r, 0, Set.of(), Set.of(), null);
        Traffic used = traffic.total();
        Optional<RoundPlan> fitted = RoundBudget.fit(spec, r, planned, adapters.current().adapter(), history,
                used.up() + used.down());
        if (fitted.isEmpty()) {
            // Ends before round r sends anything: the budget is a hard cap, not a target. Status and
            // snapshots read the open try; before round 1 there is none, so an unopened one stands in.
            if (open == null) {
                open = new RoundTry(r, 0, planned, Set.of(),
                        strategy.startAggregation(adapters.current().adapter(), planned.mask(), strategyState),
                        new TreeMap<>(), now, now);
            }
            finish(JobPhase.SUCCEEDED, JobOutcome.of(JobOutcome.Kind.BUDGET_EXHAUSTED, (used.up() + used.down())
                    + " of communication.budgetBytes " + spec.budgetBytes() + " used after round " + (r - 1)
                    + "; round " + r + " would not fit even with more cores frozen or fewer participants"), true);
            return;
        }
        RoundPlan p = fitted.get();
        Strategy.Aggregation aggregation = strategy.startAggregation(adapters.current().adapter(), p.mask(), strategyState);
        openTry(new RoundTry(r, 0, p, Set.of(), aggregation, new TreeMap<>(), now, now + spec.roundTimeout().toMillis(),
                sessionFor(p)));
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
        if (p.participants().isEmpty() || !weights.keySet().containsAll(p.participants())
                || !p.participants().containsAll(keep)) {
            throw new IllegalStateException(who + " selected " + p.participants() + " for round " + r
                    + ": must be participants of the job, at least one, including those already in " + keep);
        }
        return p;
    }

    private void openTry(RoundTry t) {
        open = t;
        traffic.openRound(t.round, t.selected());
        saveState();
        int n = t.selected().size();
        events.add(l -> l.roundOpened(spec.job(), t.round, t.attempt, n));
    }

    /** Adds a record to the history, stored before the state that counts it. */
    private void appendHistory(RoundRecord record) {
        persistence.appendHistory(history.size(), record);
        history.add(record);
    }

    /**
     * Saves the state as it is, the traffic counted so far included: after an accepted update, so
     * that a restart resumes the job's byte counts and the open try's tally instead of losing what
     * was counted since the last transition.
     */
    void saveProgress() {
        saveState();
    }

    private void saveState() {
        Traffic total = traffic.total();
        Traffic rejected = traffic.rejected();
        GlobalVersion g = adapters.current();
        persistence.save(new CoordinatorSnapshot(CoordinatorSnapshot.FORMAT, spec.job().toString(), phase,
                outcome == null ? "" : outcome.text(), open.round, open.attempt, g.version(), g.digest(), open.openedAt,
                List.copyOf(open.selected()), List.copyOf(open.avoid()), List.copyOf(open.mask().trainable()),
                total.up(), total.down(), history.size(), outcome, open.task(), strategyState,
                phase.finished() ? null : traffic.roundTraffic(), rejected.up(), rejected.down()));
    }
}
