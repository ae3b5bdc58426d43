package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.JobId;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Hands round events to the listeners in the order they happened, outside the coordinator's lock:
 * events are queued while the state changes (under the lock) and delivered afterwards by
 * {@link #dispatch()}, on whichever thread gets there first.
 */
final class RoundEvents {

    private static final System.Logger LOG = System.getLogger(RoundEvents.class.getName());

    private final JobId job;
    private final List<RoundListener> listeners;
    private final ConcurrentLinkedQueue<Consumer<RoundListener>> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock delivering = new ReentrantLock();

    RoundEvents(JobId job, List<RoundListener> listeners) {
        this.job = job;
        this.listeners = List.copyOf(listeners);
    }

    /** Queues an event; it is delivered by the next {@link #dispatch()}. */
    void add(Consumer<RoundListener> event) {
        queue.add(event);
    }

    /** Delivers queued events in order; a listener's exception is logged and dropped. */
    void dispatch() {
        while (!queue.isEmpty()) {
            if (!delivering.tryLock()) {
                return; // the holder delivers ours too: it loops until the queue is empty
            }
            try {
                Consumer<RoundListener> e;
                while ((e = queue.poll()) != null) {
                    for (RoundListener l : listeners) {
                        try {
                            e.accept(l);
                        } catch (RuntimeException ex) {
                            LOG.log(System.Logger.Level.WARNING, "job " + job + ": round listener failed", ex);
                        }
                    }
                }
            } finally {
                delivering.unlock();
            }
        }
    }
}
