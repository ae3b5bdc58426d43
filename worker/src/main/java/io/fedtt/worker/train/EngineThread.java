package io.fedtt.worker.train;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one thread of the process on which every local round and every evaluation computes, whichever
 * participant's thread asks for it.
 *
 * <p>Why: libtorch allocates a step's tensors with {@code malloc} on the calling thread, and glibc
 * serves each thread from an arena of its own (up to 8 per core) that keeps freed memory for reuse
 * instead of returning it. {@code fedtt simulate} and a cross-device worker shard run every
 * participant on a thread of its own; when their rounds computed there, the working set of a training
 * step was left cached in one arena after another, and resident memory grew round after round (about
 * 0.4 GiB per round of ten MiniLM client trainings) until every arena held one. Computing on one
 * thread keeps that cache to one working set. Rounds on a shared model ran one at a time anyway
 * (one autograd recorder and one dropout generator per process), so nothing runs slower.
 */
public final class EngineThread {

    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fedtt-engine");
        t.setDaemon(true);
        return t;
    });
    private static final ThreadLocal<Boolean> ON_IT = ThreadLocal.withInitial(() -> false);

    private EngineThread() {
    }

    /**
     * Runs {@code work} on the engine thread (directly when already on it) and returns its result;
     * its exception is rethrown as it is. An interrupt of the waiting caller does not abandon the
     * work: the work itself checks for a stop between steps.
     */
    public static <T> T call(Callable<T> work) {
        if (ON_IT.get()) {
            return callHere(work);
        }
        Future<T> f = THREAD.submit(() -> {
            ON_IT.set(true);
            return work.call();
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw rethrow(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static <T> T callHere(Callable<T> work) {
        try {
            return work.call();
        } catch (Exception e) {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t.getMessage(), t);
    }
}
