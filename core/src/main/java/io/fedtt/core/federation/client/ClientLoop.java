package io.fedtt.core.federation.client;

import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.UpdateInfo;
import io.fedtt.core.federation.UploadReceipt;
import io.fedtt.core.tensor.AdapterState;
import java.util.HashSet;
import java.util.Set;

/**
 * A participant's whole life in a job: ask for a task, fetch the global adapter, train, upload,
 * until the job is done. The trainer is plugged in (the DJL worker, simulate's in-process silos,
 * tests' fake training). A late upload (410) or a task that went stale is not an error: the loop
 * asks for the next task.
 */
public final class ClientLoop {

    private static final System.Logger LOG = System.getLogger(ClientLoop.class.getName());

    /** Local training of one round: from the task and the global adapter to an update. */
    @FunctionalInterface
    public interface Trainer {
        LocalResult train(RoundTask task, AdapterState global) throws Exception;
    }

    /**
     * The outcome of local training. {@code update} may hold every tensor; only the task's
     * trainable ones are uploaded. {@code eval} is the incoming global adapter's metrics on the
     * participant's eval split ({@link EvalMetrics#NONE} if it has none).
     */
    public record LocalResult(AdapterState update, long examples, int steps, EvalMetrics eval) {
    }

    /** Called after each round's upload (progress output, tests). */
    @FunctionalInterface
    public interface Observer {
        void uploaded(RoundTask task, UploadReceipt receipt);
    }

    private ClientLoop() {
    }

    /** Runs until the job is done; returns how it ended. */
    public static TaskAnswer.Done run(FederationClient client, Trainer trainer) {
        return run(client, trainer, (t, r) -> { });
    }

    public static TaskAnswer.Done run(FederationClient client, Trainer trainer, Observer observer) {
        int after = 0;
        while (true) {
            TaskAnswer answer = client.nextTask(after);
            if (answer instanceof TaskAnswer.Done done) {
                return done;
            }
            RoundTask task = ((TaskAnswer.Work) answer).task();
            if (work(client, trainer, observer, task)) {
                after = task.round();
            }
        }
    }

    /**
     * One round for a participant that holds nothing between its rounds (a cross-device client woken
     * when it is selected): asks once, and if the answer is work, trains and uploads. Returns the answer.
     */
    public static TaskAnswer runOnce(FederationClient client, Trainer trainer) {
        TaskAnswer answer = client.pollTask(0);
        if (answer instanceof TaskAnswer.Work w) {
            work(client, trainer, (t, r) -> { }, w.task());
        }
        return answer;
    }

    /** Fetch, train, upload; false when the task went stale before training (ask again for the same round). */
    private static boolean work(FederationClient client, Trainer trainer, Observer observer, RoundTask task) {
        AdapterState global;
        try {
            global = client.fetchAdapter(task);
        } catch (FederationClient.StaleTaskException e) {
            LOG.log(System.Logger.Level.INFO, client.config().participant() + ": " + e.getMessage());
            return false;
        }
        LocalResult result;
        try {
            result = trainer.train(task, global);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(client.config().participant() + ": training round " + task.round()
                    + " failed: " + e.getMessage(), e);
        }
        Set<String> trainable = new HashSet<>(task.trainable());
        AdapterState update = result.update().select(trainable::contains);
        UpdateInfo info = new UpdateInfo(result.examples(), result.steps(), result.eval());
        try {
            UploadReceipt receipt = task.secure() ? SecureRoundClient.run(client, task, global, update, info)
                    : client.upload(task, update, info);
            if (receipt != null) {
                observer.uploaded(task, receipt);
            }
        } catch (FederationHttpException e) {
            if (!e.roundClosed()) {
                throw e;
            }
            LOG.log(System.Logger.Level.INFO, client.config().participant() + ": round " + task.round()
                    + " closed before the upload: " + e.getMessage());
        }
        return true;
    }
}
