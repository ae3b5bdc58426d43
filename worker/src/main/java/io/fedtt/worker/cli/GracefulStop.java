package io.fedtt.worker.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the worker does on SIGTERM (Kubernetes deleting the pod): a round being uploaded is
 * finished; a round being trained is abandoned between two steps (nothing is uploaded, the server
 * treats the silo as a straggler); a wait for the next task is interrupted. The shutdown hook waits
 * for the main thread to get there, up to a grace period, so the log says how the worker ended.
 */
final class GracefulStop {

    enum Phase { STARTING, WAITING, TRAINING, UPLOADING, DONE }

    private static final AtomicBoolean IN_PROGRESS = new AtomicBoolean();

    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
    private final Thread worker;
    private final long graceMillis;
    private Thread hook;

    GracefulStop(Thread worker, long graceMillis) {
        this.worker = worker;
        this.graceMillis = graceMillis;
    }

    /** True while the JVM runs its shutdown hooks: System.exit would then block forever. */
    static boolean shutdownInProgress() {
        return IN_PROGRESS.get();
    }

    void install() {
        hook = new Thread(this::onSignal, "fedtt-graceful-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** After a normal end: the hook is no longer needed. */
    void uninstall() {
        phase.set(Phase.DONE);
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    boolean requested() {
        return requested.get();
    }

    void enter(Phase p) {
        phase.set(p);
        if (p == Phase.WAITING && requested.get()) {
            worker.interrupt();
        }
    }

    Phase phase() {
        return phase.get();
    }

    /** Asks the worker to stop as described above (the shutdown hook, or a test). */
    void request() {
        requested.set(true);
        Phase p = phase.get();
        if (p == Phase.WAITING || p == Phase.STARTING) {
            worker.interrupt();
        }
    }

    private void onSignal() {
        IN_PROGRESS.set(true);
        if (phase.get() == Phase.DONE) {
            return;
        }
        request();
        try {
            worker.join(graceMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
