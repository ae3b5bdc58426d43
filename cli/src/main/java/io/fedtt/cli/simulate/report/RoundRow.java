package io.fedtt.cli.simulate.report;

/**
 * One round of a simulated run as the table, results.json and the plots show it. Round 0 is the
 * starting adapter, evaluated before any training. Accuracy is held-out (central) accuracy; NaN when
 * the round was not evaluated centrally.
 */
public record RoundRow(
        int round,
        int participants,
        double accuracy,
        double federatedAccuracy,
        double loss,
        long bytesUp,
        long bytesDown,
        double seconds,
        double epsilon) {

    /** A round without differential privacy (epsilon NaN). */
    public RoundRow(int round, int participants, double accuracy, double federatedAccuracy, double loss, long bytesUp,
                    long bytesDown, double seconds) {
        this(round, participants, accuracy, federatedAccuracy, loss, bytesUp, bytesDown, seconds, Double.NaN);
    }

    public long bytes() {
        return bytesUp + bytesDown;
    }
}
