package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.Traffic;
import io.fedtt.core.federation.UpdateInfo;
import io.fedtt.core.federation.UploadReceipt;
import io.fedtt.core.federation.strategy.RoundPlan;
import io.fedtt.core.federation.strategy.Strategy;
import io.fedtt.core.federation.strategy.TaskConfig;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.privacy.secagg.SecureSum;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One try of the open round: its plan and deadline, and the updates accepted so far, which a retry
 * keeps together with the aggregation they were added to. Decides whether an upload for the round
 * may count, and writes the try's history record. Not thread-safe: the coordinator's lock guards it.
 */
final class RoundTry {

    /** An accepted update: the sha256 of its body and its report. */
    record Accepted(String digest, UpdateInfo info) {
    }

    final int round;
    final int attempt;
    final long openedAt;
    private long deadline;
    private final TreeSet<String> selected;
    /** Participants silent in earlier tries of this round (cross-device re-sampling avoids them). */
    private final Set<String> avoid;
    private final TrainableMask mask;
    private final TaskConfig task;
    private final List<String> trainable;
    private final Strategy.Aggregation aggregation;
    private final TreeMap<String, Accepted> accepted;
    /** The try's secure-aggregation session; null in a plain round. */
    private final SecureSum secure;
    private boolean closing;

    RoundTry(int round, int attempt, RoundPlan plan, Set<String> avoid, Strategy.Aggregation aggregation,
             TreeMap<String, Accepted> accepted, long openedAt, long deadline) {
        this(round, attempt, plan, avoid, aggregation, accepted, openedAt, deadline, null);
    }

    RoundTry(int round, int attempt, RoundPlan plan, Set<String> avoid, Strategy.Aggregation aggregation,
             TreeMap<String, Accepted> accepted, long openedAt, long deadline, SecureSum secure) {
        this.round = round;
        this.attempt = attempt;
        this.selected = new TreeSet<>(plan.participants());
        this.avoid = new TreeSet<>(avoid);
        this.mask = plan.mask();
        this.task = plan.task();
        this.trainable = List.copyOf(mask.trainable());
        this.aggregation = aggregation;
        this.accepted = accepted;
        this.openedAt = openedAt;
        this.deadline = deadline;
        this.secure = secure;
    }

    /** The next try of this round, keeping the accepted updates and their aggregation. */
    RoundTry retry(RoundPlan plan, Set<String> avoidNow, long now, long timeoutMillis) {
        return new RoundTry(round, attempt + 1, plan, avoidNow, aggregation, accepted, now, now + timeoutMillis);
    }

    /**
     * The next try of a secure round: a new session from scratch. Nothing of this try is kept (its
     * masked inputs were summed in this session only; nothing was added to the aggregation yet).
     */
    RoundTry retrySecure(RoundPlan plan, Set<String> avoidNow, long now, long timeoutMillis, SecureSum session,
            Strategy.Aggregation fresh) {
        return new RoundTry(round, attempt + 1, plan, avoidNow, fresh, new TreeMap<>(), now, now + timeoutMillis,
                session);
    }

    /** The secure-aggregation session of this try, or null in a plain round. */
    SecureSum secure() {
        return secure;
    }

    // ================================================================ reading

    TrainableMask mask() {
        return mask;
    }

    /** The mask's tensor names as handed out in tasks (one list per try). */
    List<String> trainable() {
        return trainable;
    }

    TaskConfig task() {
        return task;
    }

    Strategy.Aggregation aggregation() {
        return aggregation;
    }

    Set<String> selected() {
        return selected;
    }

    Set<String> avoid() {
        return avoid;
    }

    /** Participants whose update is accepted, by name. */
    Set<String> received() {
        return accepted.keySet();
    }

    /** The accepted updates by participant (a copy). */
    SortedMap<String, Accepted> accepted() {
        return new TreeMap<>(accepted);
    }

    /** Selected participants without an accepted update. */
    List<String> silent() {
        return selected.stream().filter(p -> !accepted.containsKey(p)).toList();
    }

    /** Whether every selected participant's update is in. */
    boolean complete() {
        return accepted.size() == selected.size();
    }

    /**
     * Whether {@code participant} should be working on this try. In a secure round, once the roster is
     * fixed, only its members are: the masks of the others were never agreed.
     */
    boolean awaits(String participant) {
        if (closing || !selected.contains(participant) || accepted.containsKey(participant)) {
            return false;
        }
        return secure == null || secure.stage() == SecureSum.Stage.ADVERTISE || secure.inRoster(participant)
                && secure.stage().compareTo(SecureSum.Stage.MASK) <= 0;
    }

    /** When the try's deadline passes, in epoch millis. */
    long deadline() {
        return deadline;
    }

    /** A resumed try's fresh deadline: clients need time to come back after a restart. */
    void resetDeadline(long value) {
        deadline = value;
    }

    boolean closing() {
        return closing;
    }

    void setClosing(boolean value) {
        closing = value;
    }

    /** Participants silent in this try and the earlier ones: whom a retry avoids. */
    Set<String> avoidAfterThis() {
        Set<String> a = new HashSet<>(avoid);
        a.addAll(silent());
        return a;
    }

    // ================================================================ uploads

    /**
     * Checks that an upload from {@code participant} for round {@code r} may count now.
     *
     * @return a duplicate receipt when the identical update is already accepted, else null
     * @throws Rejection GONE, NOT_FOUND, FORBIDDEN or CONFLICT naming why not
     */
    UploadReceipt admit(String participant, int r, String digest) {
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
        Accepted a = accepted.get(participant);
        if (a == null) {
            return null;
        }
        if (a.digest().equals(digest)) {
            return new UploadReceipt(round, participant, digest, true, accepted.size(), selected.size());
        }
        throw new Rejection(Rejection.Kind.CONFLICT, "a different update from '" + participant
                + "' for round " + round + " was already accepted (sha256 " + a.digest() + ")");
    }

    /** Whether an update of {@code participant} for round {@code r}, now stored, may still count. */
    boolean stillOpenFor(String participant, int r) {
        return r == round && !closing && selected.contains(participant);
    }

    /** Records a masked input taken into the secure sum (its update joins the aggregation at unmasking). */
    int acceptMasked(String participant, String digest, UpdateInfo info) {
        accepted.put(participant, new Accepted(digest, info));
        return accepted.size();
    }

    /** Counts a valid update into the aggregation; returns how many are in. */
    int add(String participant, String digest, UpdateInfo info, io.fedtt.core.tensor.AdapterState update, double weight) {
        aggregation.add(participant, update, weight);
        accepted.put(participant, new Accepted(digest, info));
        return accepted.size();
    }

    // ================================================================ records

    /**
     * The sum of the examples the updates claim. Each claim is at most {@link UpdateInfo#MAX_EXAMPLES}
     * (2^31 - 1), so a round would need 2^32 updates to overflow; the sum saturates at
     * {@code Long.MAX_VALUE} all the same rather than ever turning negative.
     */
    static long totalExamples(java.util.Collection<Long> claims) {
        long sum = 0;
        for (long c : claims) {
            long s = sum + c;
            sum = ((sum ^ s) & (c ^ s)) < 0 ? Long.MAX_VALUE : s;
        }
        return sum;
    }

    /** The record of this try failing below the quorum at {@code now}. */
    RoundRecord failed(String why, long now, SortedMap<String, Traffic> traffic) {
        Traffic sum = TrafficMeter.sum(traffic);
        return new RoundRecord(round, attempt, RoundRecord.Outcome.FAILED, why, openedAt, now,
                List.copyOf(selected), List.copyOf(accepted.keySet()), silent(), 0, new TreeMap<>(), sum.up(),
                sum.down(), traffic, EvalMetrics.NONE, EvalMetrics.NONE, Double.NaN, Double.NaN, trainable, Map.of(), null);
    }

    /**
     * The record of this try completing at {@code now}. Accuracy and loss, which the stop conditions
     * read, are the central evaluation's where it measured them, else the clients' (weighted by their
     * eval examples).
     */
    RoundRecord completed(long now, SortedMap<String, Traffic> traffic, EvalMetrics central,
                          Map<String, Double> energy, String digest) {
        EvalMetrics federated = EvalMetrics.weightedMean(accepted.values().stream().map(a -> a.info().eval()).toList());
        double accuracy = central.hasAccuracy() ? central.accuracy() : federated.accuracy();
        double loss = !Double.isNaN(central.loss()) && central.examples() > 0 ? central.loss() : federated.loss();
        SortedMap<String, Long> examplesBy = new TreeMap<>();
        accepted.forEach((p, a) -> examplesBy.put(p, a.info().examples()));
        long examples = totalExamples(examplesBy.values());
        Traffic sum = TrafficMeter.sum(traffic);
        return new RoundRecord(round, attempt, RoundRecord.Outcome.COMPLETED, "", openedAt, now, List.copyOf(selected),
                List.copyOf(accepted.keySet()), silent(), examples, examplesBy, sum.up(), sum.down(), traffic,
                federated, central, accuracy, loss, trainable, energy, digest);
    }
}
