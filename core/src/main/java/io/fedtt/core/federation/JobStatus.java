package io.fedtt.core.federation;

/**
 * A job's state at one moment, for status writers and progress printers.
 *
 * @param round the open round (or the last one when finished)
 * @param completedRounds rounds aggregated so far; the global adapter's version
 * @param received accepted updates in the open round
 * @param deadlineEpochMillis the open round's deadline, 0 when none is open
 * @param bestAccuracy best round accuracy so far (NaN if none)
 * @param outcome how the job ended; null while it runs
 */
public record JobStatus(
        String job,
        JobPhase phase,
        JobOutcome outcome,
        int round,
        int attempt,
        int totalRounds,
        int completedRounds,
        int selected,
        int received,
        long deadlineEpochMillis,
        double lastAccuracy,
        double bestAccuracy,
        long bytesUp,
        long bytesDown,
        String globalDigest) {

    /** The outcome as people read it ("RoundsCompleted: 8 of 8 rounds"); empty while the job runs. */
    public String reason() {
        return outcome == null ? "" : outcome.text();
    }
}
