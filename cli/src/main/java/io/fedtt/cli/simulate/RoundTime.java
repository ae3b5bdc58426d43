package io.fedtt.cli.simulate;

import io.fedtt.core.federation.RoundRecord;
import java.util.List;
import java.util.Locale;

/**
 * Where a run's round time went: the clients' local evaluation and training steps, the central
 * evaluation, and everything else (protocol, validation, aggregation, the round store, waking the
 * clients, loading and exporting adapters). "Everything else" is the overhead a bigger population
 * must not inflate.
 *
 * @param roundMillis the rounds' wall time, every try counted
 * @param trainingMillis the clients' local evaluation and training in those rounds (-1: not measured)
 * @param centralMillis the central evaluations of those rounds
 */
record RoundTime(int rounds, long roundMillis, long trainingMillis, long centralMillis) {

    static RoundTime of(List<RoundRecord> history, long trainingMillis, long centralMillis) {
        long total = history.stream().mapToLong(RoundRecord::durationMillis).sum();
        int rounds = (int) history.stream().filter(RoundRecord::completed).count();
        return new RoundTime(rounds, total, trainingMillis, centralMillis);
    }

    long otherMillis() {
        return Math.max(0, roundMillis - trainingMillis - centralMillis);
    }

    /** One line for the console, per round on average. */
    String describe() {
        if (trainingMillis < 0 || rounds == 0) {
            return String.format(Locale.ROOT, "round time: %.1f s per round", roundMillis / 1000.0 / Math.max(1, rounds));
        }
        double n = rounds * 1000.0;
        return String.format(Locale.ROOT, "round time: %.2f s per round = local training %.2f s + central evaluation"
                        + " %.2f s + everything else %.3f s (%.1f%% of a round)",
                roundMillis / n, trainingMillis / n, centralMillis / n, otherMillis() / n,
                roundMillis == 0 ? 0.0 : 100.0 * otherMillis() / roundMillis);
    }
}
