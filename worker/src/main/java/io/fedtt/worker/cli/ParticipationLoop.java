package io.fedtt.worker.cli;

import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.RoundTask;
import io.fedtt.core.federation.TaskAnswer;
import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.federation.client.LocalDpTrainer;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.worker.data.JobDatasets;
import io.fedtt.worker.train.AdaptedModel;
import io.fedtt.worker.train.LocalTrainer;
import io.fedtt.worker.train.TrainingOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Takes part in a job until it is over, over the federation protocol: a silo on the calling thread, or
 * each of a shard's devices on a thread of its own, all training the one loaded model. Tells the
 * {@link GracefulStop} which phase it is in, so that SIGTERM finishes an upload but abandons training.
 */
final class ParticipationLoop {

    private final AdaptedModel classifier;
    private final TrainingOptions options;
    private final GracefulStop stop;
    private final Consumer<String> log;
    private final DifferentialPrivacy localPrivacy;

    /** @param localPrivacy local differential privacy applied to every update before upload; null = off */
    ParticipationLoop(AdaptedModel classifier, TrainingOptions options, GracefulStop stop, Consumer<String> log,
            DifferentialPrivacy localPrivacy) {
        this.classifier = classifier;
        this.options = options;
        this.stop = stop;
        this.log = log;
        this.localPrivacy = localPrivacy;
    }

    /** How one participant (a silo, or one device of a shard) took part: until the job's end. */
    record Participation(TaskAnswer.Done done, int rounds, long up, long down) {}

    /** One silo, on this thread. */
    int silo(JobId jobId, String name, FederationClient client, JobDatasets.ClientData data) {
        Participation p = participate(name, client, data, stop::requested, false);
        log.accept(String.format(Locale.ROOT, "job %s is over: %s; this silo trained %d round(s); traffic up %,d B, "
                + "down %,d B", jobId, ending(p.done()), p.rounds(), p.up(), p.down()));
        return WorkerCommand.EXIT_DONE;
    }

    /**
     * Runs each of this shard's devices as its own protocol client, on its own thread, all sharing the
     * one loaded model (LocalTrainer takes the model's lock, so their rounds train one at a time). The
     * first failure stops the others and is the worker's failure.
     */
    int devices(JobId jobId, Map<String, FederationClient> clients, Map<String, JobDatasets.ClientData> data) {
        AtomicBoolean aborted = new AtomicBoolean();
        BooleanSupplier cancelled = () -> stop.requested() || aborted.get();
        ExecutorService pool = Executors.newFixedThreadPool(clients.size(), r -> {
            Thread t = new Thread(r, "device");
            t.setDaemon(true);
            return t;
        });
        try {
            ExecutorCompletionService<Participation> done = new ExecutorCompletionService<>(pool);
            for (Map.Entry<String, FederationClient> c : clients.entrySet()) {
                done.submit(() -> participate(c.getKey(), c.getValue(), data.get(c.getKey()), cancelled, true));
            }
            List<Participation> ended = new ArrayList<>();
            RuntimeException failure = null;
            stop.enter(GracefulStop.Phase.WAITING);
            for (int i = 0; i < clients.size(); i++) {
                try {
                    ended.add(take(done).get());
                } catch (InterruptedException e) {
                    throw new IllegalStateException("unreachable: the future is done", e);
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                        // The others end as on a stop: waiting ones wake, training ones stop at the next
                        // step, an upload in flight finishes.
                        aborted.set(true);
                        stop.interruptWaiting();
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
            int rounds = ended.stream().mapToInt(Participation::rounds).sum();
            long up = ended.stream().mapToLong(Participation::up).sum();
            long down = ended.stream().mapToLong(Participation::down).sum();
            log.accept(String.format(Locale.ROOT, "job %s is over: %s; this shard's %d devices trained %d round(s) in all;"
                    + " traffic up %,d B, down %,d B", jobId, ending(ended.get(0).done()), ended.size(), rounds, up, down));
            return WorkerCommand.EXIT_DONE;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The next finished device; a stop request (an interrupt) does not end the wait, the devices see it themselves. */
    private static Future<Participation> take(ExecutorCompletionService<Participation> done) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.take();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Participation participate(String name, FederationClient client, JobDatasets.ClientData data,
            BooleanSupplier cancelled, boolean device) {
        Consumer<String> out = device ? line -> log.accept(name + ": " + line) : log;
        ProgressLog progress = new ProgressLog(out, Duration.ofSeconds(15));
        LocalTrainer local = new LocalTrainer(classifier, data.train(), data.eval(), options, progress, cancelled);
        // local DP: the update is clipped and noised here, before anything leaves the silo
        ClientLoop.Trainer training = LocalDpTrainer.wrap(local::train, localPrivacy);
        ClientLoop.Trainer trainer = (task, global) -> {
            stop.enter(GracefulStop.Phase.TRAINING);
            progress.roundStarted(task);
            ClientLoop.LocalResult r = training.train(task, global);
            stop.enter(GracefulStop.Phase.UPLOADING);
            progress.roundTrained(task, local.lastRound());
            return r;
        };
        int[] rounds = {0};
        ClientLoop.Observer observer = (task, receipt) -> {
            rounds[0]++;
            out.accept(String.format(Locale.ROOT, "round %d: update uploaded (%d of %d participants in)%s", task.round(),
                    receipt.received(), receipt.selected(), receipt.duplicate() ? ", already stored" : ""));
            stop.enter(GracefulStop.Phase.WAITING);
            if (cancelled.getAsBoolean()) {
                throw new StopRequested(task);
            }
        };
        stop.enter(GracefulStop.Phase.WAITING);
        try {
            TaskAnswer.Done done = ClientLoop.run(client, trainer, observer);
            return new Participation(done, rounds[0], client.traffic().up(), client.traffic().down());
        } finally {
            stop.leave();
        }
    }

    private static String ending(TaskAnswer.Done done) {
        return done.phase() + (done.reason() == null || done.reason().isEmpty() ? "" : " (" + done.reason() + ")");
    }

    /** Thrown after an upload when a stop was requested meanwhile: the round is complete. */
    private static final class StopRequested extends RuntimeException {
        StopRequested(RoundTask task) {
            super("round " + task.round() + " was uploaded; not asking for another");
        }
    }
}
