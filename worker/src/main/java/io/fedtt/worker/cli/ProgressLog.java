package io.fedtt.worker.cli;

import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.worker.train.LocalTrainer;
import io.fedtt.worker.train.StepListener;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/** Log lines for a worker pod: one when a round starts and ends, and a step line at most every interval. */
final class ProgressLog implements StepListener {

    private final Consumer<String> out;
    private final long intervalNanos;
    private long lastLine;
    private int round;

    ProgressLog(Consumer<String> out, Duration interval) {
        this.out = out;
        this.intervalNanos = interval.toNanos();
    }

    void roundStarted(RoundTask task) {
        round = task.round();
        lastLine = System.nanoTime();
        out.accept(String.format(Locale.ROOT, "round %d/%d: %s steps of batch %d at lr %.2g, %d trainable tensors",
                task.round(), task.totalRounds(), task.localSteps() > 0 ? task.localSteps() + " local"
                        : task.localEpochs() + " epoch(s) of", task.batchSize(), task.learningRate(),
                task.trainable().size()));
    }

    @Override
    public void step(int done, int total, double loss, double learningRate) {
        long now = System.nanoTime();
        if (done < total && now - lastLine >= intervalNanos) {
            lastLine = now;
            out.accept(String.format(Locale.ROOT, "round %d: step %d/%d, loss %.4f, lr %.2g", round, done, total, loss,
                    learningRate));
        }
    }

    void roundTrained(RoundTask task, LocalTrainer.RoundReport r) {
        ClassificationMetrics.Result e = r.eval();
        String eval = e == null || e.examples() == 0 ? "no local eval"
                : String.format(Locale.ROOT, "global adapter on local eval: accuracy %.4f, macro-F1 %.4f, loss %.4f"
                        + " (%d examples, %.1f s)", e.accuracy(), e.macroF1(), e.loss(), e.examples(),
                        r.evalMillis() / 1e3);
        var t = r.training();
        out.accept(String.format(Locale.ROOT, "round %d: %s; trained %d steps in %.1f s (%.2f s/step), loss %.4f -> %.4f",
                task.round(), eval, t.steps(), t.millis() / 1e3, t.millis() / 1e3 / t.steps(), t.firstLoss(),
                t.lastLoss()));
    }
}
