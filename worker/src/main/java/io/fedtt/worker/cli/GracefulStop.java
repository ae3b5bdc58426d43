package io.fedtt.worker.cli;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the worker does on SIGTERM (Kubernetes deleting the pod): a round being uploaded is
 * finished; a round being trained is abandoned between two steps (nothing is uploaded, the server
 * treats the participant as a straggler); a wait for the next task is interrupted. The shutdown hook
 * waits for the main thread to get there, up to a grace period, so the log says how the worker ended.
 *
 * <p>Each thread that runs a participant's loop (one for a silo; one per device of a cross-device
 * shard) reports its own phase, so a stop interrupts exactly the threads that are waiting.
 */
public final class GracefulStop {

    enum Phase { STARTING, WAITING, TRAINING, UPLOADING, DONE }

    private static final AtomicBoolean IN_PROGRESS = new AtomicBoolean();

    private final AtomicBoolean requested = new AtomicBoolean();
    private final Map<Thread, Phase> phases = new ConcurrentHashMap<>();
    private final Thread main;
    private final long graceMillis;
    private Thread hook;

    GracefulStop(Thread main, long graceMillis) {
        this.main = main;
        this.graceMillis = graceMillis;
        phases.put(main, Phase.STARTING);
    }

    /** True while the JVM runs its shutdown hooks: System.exit would then block forever. */
    public static boolean shutdownInProgress() {
        return IN_PROGRESS.get();
    }

    void install() {
        hook = new Thread(this::onSignal, "fedtt-graceful-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** After a normal end: the hook is no longer needed. */
    void uninstall() {
        phases.put(main, Phase.DONE);
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

    /** The calling thread is now in phase {@code p}. */
    void enter(Phase p) {
        Thread t = Thread.currentThread();
        phases.put(t, p);
        if (p == Phase.WAITING && requested.get()) {
            t.interrupt();
        }
    }

    /** The calling thread (not the main one) is finished: a later stop leaves it alone. */
    void leave() {
        if (Thread.currentThread() != main) {
            phases.remove(Thread.currentThread());
        }
    }

    /** The main thread's phase. */
    Phase phase() {
        return phases.getOrDefault(main, Phase.DONE);
    }

    /** Asks the worker to stop as described above (the shutdown hook, or a test). */
    void request() {
        requested.set(true);
        interruptWaiting();
    }

    /** Wakes the threads that wait (for a task, or to start); training and uploading ones are left alone. */
    void interruptWaiting() {
        phases.forEach((t, p) -> {
            if (p == Phase.WAITING || p == Phase.STARTING) {
                t.interrupt();
            }
        });
    }

    private void onSignal() {
        IN_PROGRESS.set(true);
        if (phase() == Phase.DONE) {
            return;
        }
        request();
        try {
            main.join(graceMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
