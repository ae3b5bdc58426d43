package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.Traffic;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The one place a job's wire traffic is counted: body bytes per direction, in total and per
 * participant for the open try of the open round, for the participants that try selected. Only accepted traffic counts there: an update's
 * body once the coordinator acknowledges it, an answer of the HTTP server once written with a
 * success status. Refused uploads and error answers count apart ({@link #rejected}), so that they
 * never inflate the job's communication figures. The coordinator opens a fresh per-round tally with
 * each try, reads it into the round's record and saves totals and tally with its state; status
 * reads the totals.
 *
 * <p>Bytes of a round other than the open one (a late upload, a download of a finished round, a
 * status query), bytes of participants the open try did not select (a cross-device population's
 * long-polls while it waits to be sampled) and bytes after the job finished count in the totals only:
 * the per-round tally, which the round's record and every saved state carry, stays as small as the
 * round's sample, however many participants are registered. Thread-safe; its lock is
 * only ever taken last, so recording never waits for the coordinator.
 */
public final class TrafficMeter {

    private long totalUp;
    private long totalDown;
    private int openRound = -1;
    private Set<String> selected = Set.of();
    private TreeMap<String, Traffic> round = new TreeMap<>();
    private long rejectedUp;
    private long rejectedDown;

    /**
     * Counts body bytes of one exchange (or part of one).
     *
     * @param forRound    the round the exchange is about; anything but the open round counts in the totals only
     * @param participant who made the exchange; null (unauthenticated) counts in the totals only
     * @param up          bytes from the participant to the server
     * @param down        bytes from the server to the participant
     */
    public synchronized void record(int forRound, String participant, long up, long down) {
        totalUp += up;
        totalDown += down;
        if (forRound == openRound && participant != null && selected.contains(participant)) {
            round.merge(participant, new Traffic(up, down), Traffic::plus);
        }
    }

    /** Counts body bytes of a refused request or an error answer: apart from the job's figures. */
    public synchronized void recordRejected(long up, long down) {
        rejectedUp += up;
        rejectedDown += down;
    }

    /** Bytes of refused requests (up) and error answers (down), not in {@link #total}. */
    public synchronized Traffic rejected() {
        return new Traffic(rejectedUp, rejectedDown);
    }

    /** Starts an empty per-participant tally for a (new try of) round {@code r} that selected {@code participants}. */
    synchronized void openRound(int r, Set<String> participants) {
        openRound = r;
        selected = Set.copyOf(participants);
        round = new TreeMap<>();
    }

    /** No round is open any more (the job finished): from now on only the totals grow. */
    synchronized void closeRounds() {
        openRound = -1;
        selected = Set.of();
        round = new TreeMap<>();
    }

    /** Resumes the totals saved before a restart. */
    synchronized void restoreTotals(long up, long down) {
        totalUp = up;
        totalDown = down;
    }

    /** Resumes the rejected bytes saved before a restart. */
    synchronized void restoreRejected(long up, long down) {
        rejectedUp = up;
        rejectedDown = down;
    }

    /** Resumes the open try's tally saved before a restart (after {@link #openRound} of that round). */
    synchronized void restoreRoundTraffic(java.util.Map<String, Traffic> tally) {
        round = new TreeMap<>();
        tally.forEach((participant, bytes) -> {
            if (selected.contains(participant)) { // states saved before the tally was limited to the sample
                round.put(participant, bytes);
            }
        });
    }

    /** The open try's traffic per participant, as counted so far (a copy). */
    public synchronized SortedMap<String, Traffic> roundTraffic() {
        return new TreeMap<>(round);
    }

    /** All bytes counted for the job. */
    public synchronized Traffic total() {
        return new Traffic(totalUp, totalDown);
    }

    /** The sum of a per-participant tally. */
    static Traffic sum(SortedMap<String, Traffic> tally) {
        Traffic s = Traffic.ZERO;
        for (Traffic t : tally.values()) {
            s = s.plus(t);
        }
        return s;
    }
}
