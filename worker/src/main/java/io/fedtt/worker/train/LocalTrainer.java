package io.fedtt.worker.train;

import io.fedtt.core.data.Dataset;
import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.metrics.ClassificationMetrics;
import io.fedtt.core.tensor.AdapterState;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A participant's round on a real model: load the global adapter, evaluate it on the local eval
 * split (if there is one), train the round's steps on the local training data, and return the
 * trainable tensors as the update. The FedAvg weight reported is the size of the local training
 * set. Several trainers may share one model (simulate's in-process silos): rounds on a shared model
 * run one at a time.
 */
public final class LocalTrainer implements ClientLoop.Trainer {

    /** What the last round did, for logs and progress output. */
    public record RoundReport(int round, LocalTraining.Report training, ClassificationMetrics.Result eval,
                              long evalMillis) {
    }

    private final TrainableModel model;
    private final Dataset train;
    private final Dataset eval;
    private final TrainingOptions options;
    private final StepListener listener;
    private final BooleanSupplier stop;
    private volatile RoundReport last;

    /**
     * @param eval the local eval split, or null
     * @param stop checked between steps; true abandons the round ({@link RoundCancelledException})
     */
    public LocalTrainer(TrainableModel model, Dataset train, Dataset eval, TrainingOptions options,
            StepListener listener, BooleanSupplier stop) {
        this.model = Objects.requireNonNull(model, "model");
        this.train = Objects.requireNonNull(train, "train");
        this.eval = eval;
        this.options = Objects.requireNonNull(options, "options");
        this.listener = listener == null ? StepListener.NONE : listener;
        this.stop = stop == null ? () -> false : stop;
        if (train.size() == 0) {
            throw new IllegalArgumentException(train.source() + ": no training examples");
        }
    }

    public LocalTrainer(TrainableModel model, Dataset train, Dataset eval, TrainingOptions options,
            StepListener listener) {
        this(model, train, eval, options, listener, null);
    }

    /** Runs on the process's {@link EngineThread}, whichever participant's thread calls it. */
    @Override
    public ClientLoop.LocalResult train(RoundTask task, AdapterState global) {
        return EngineThread.call(() -> trainHere(task, global));
    }

    private ClientLoop.LocalResult trainHere(RoundTask task, AdapterState global) {
        synchronized (model) {
            model.load(global);
            long t0 = System.nanoTime();
            ClassificationMetrics.Result evaluated = eval == null ? null : Evaluator.evaluate(model, eval, options);
            long evalMillis = (System.nanoTime() - t0) / 1_000_000;
            LocalTraining.Report report = LocalTraining.run(model, train, task, options, listener, stop);
            AdapterState update = model.export(task.trainable());
            last = new RoundReport(task.round(), report, evaluated, evalMillis);
            EvalMetrics metrics = evaluated == null ? EvalMetrics.NONE : Evaluator.toEvalMetrics(evaluated);
            return new ClientLoop.LocalResult(update, train.size(), report.steps(), metrics);
        }
    }

    /** The last round's report, or null before the first. */
    public RoundReport lastRound() {
        return last;
    }
}
