package io.fedtt.cli.simulate.report;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The per-round table and a one-line progress bar over rounds and local steps. The bar redraws in
 * place on a terminal; elsewhere (CI logs, pipes) it prints only occasional plain lines.
 */
public final class ConsoleTable {

    private static final String HEADER = String.format(Locale.ROOT, "%5s  %6s  %8s  %7s  %12s  %12s  %9s  %7s",
            "round", "silos", "accuracy", "loss", "bytes up", "bytes down", "total MB", "seconds");

    private final PrintStream out;
    private final boolean interactive;
    private long cumulativeBytes;
    private boolean epsilonColumn;
    private boolean barShown;

    public ConsoleTable(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    public static ConsoleTable forStdout() {
        return new ConsoleTable(System.out, System.console() != null);
    }

    /** Starts a run's table (one per method when comparing): its cumulative bytes start at zero. */
    public synchronized void header(String title) {
        header(title, false);
    }

    /** A run's table with a last column of the privacy budget spent (epsilon) when the job has DP. */
    public synchronized void header(String title, boolean withEpsilon) {
        cumulativeBytes = 0;
        epsilonColumn = withEpsilon;
        out.println(title);
        out.println(withEpsilon ? HEADER + String.format(Locale.ROOT, "  %8s", "epsilon") : HEADER);
    }

    /** Progress within the run: rounds done so far plus steps done in the current round. */
    public synchronized void progress(int round, int totalRounds, long stepsDone, long stepsInRound) {
        double fraction = totalRounds == 0 ? 1
                : ((round - 1) + (stepsInRound == 0 ? 0 : (double) stepsDone / stepsInRound)) / totalRounds;
        int percent = (int) Math.floor(Math.max(0, Math.min(1, fraction)) * 100);
        if (interactive) {
            int width = 30;
            int filled = percent * width / 100;
            out.printf(Locale.ROOT, "\r[%s%s] %3d%%  round %d/%d  step %d/%d ", "#".repeat(filled),
                    "-".repeat(width - filled), percent, round, totalRounds, stepsDone, stepsInRound);
            out.flush();
            barShown = true;
        }
    }

    public synchronized void row(RoundRow row) {
        clearBar();
        cumulativeBytes += row.bytes();
        out.println(String.format(Locale.ROOT, "%5d  %6d  %8s  %7s  %12s  %12s  %9.3f  %7.1f",
                row.round(), row.participants(), fmt(row.accuracy(), "%.4f"), fmt(row.loss(), "%.4f"),
                String.format(Locale.ROOT, "%,d", row.bytesUp()), String.format(Locale.ROOT, "%,d", row.bytesDown()),
                cumulativeBytes / 1e6, row.seconds())
                + (epsilonColumn ? String.format(Locale.ROOT, "  %8s", fmt(row.epsilon(), "%.3f")) : ""));
        out.flush();
    }

    public synchronized void line(String text) {
        clearBar();
        out.println(text);
        out.flush();
    }

    private void clearBar() {
        if (barShown) {
            out.print("\r" + " ".repeat(72) + "\r");
            barShown = false;
        }
    }

    private static String fmt(double v, String pattern) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, pattern, v) : "-";
    }
}
