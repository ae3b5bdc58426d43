package io.fedtt.cli.simulate;

import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.federation.client.FederationClient;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * The devices of a simulated cross-device job, woken only when the coordinator selects them, as a phone
 * checks in: a woken device is a fresh protocol client over real HTTP that asks for its task, trains,
 * uploads and is gone. Devices that are not selected hold no thread, no connection and no state, so
 * a population of 10,000 costs what its data costs; the 20 selected in a round cost what silos cost.
 * Being stateless, a device downloads the whole global adapter each time it is selected and keeps no
 * int8 error-feedback residual between its rounds.
 */
final class WokenDevices implements AutoCloseable {

    private final RoundCoordinator coordinator;
    private final Function<String, FederationClient> clientFor;
    private final Function<String, ClientLoop.Trainer> trainerFor;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "device");
        t.setDaemon(true);
        return t;
    });
    private final Set<String> awake = ConcurrentHashMap.newKeySet();
    private final List<Future<?>> rounds = new ArrayList<>();

    WokenDevices(RoundCoordinator coordinator, Function<String, FederationClient> clientFor,
            Function<String, ClientLoop.Trainer> trainerFor) {
        this.coordinator = coordinator;
        this.clientFor = clientFor;
        this.trainerFor = trainerFor;
    }

    /**
     * Wakes every selected device of the open round that has not uploaded and is not awake yet. Safe to
     * call from a coordinator callback: it only hands the work to the pool.
     */
    void wake() {
        pool.execute(this::wakeSelected);
    }

    private void wakeSelected() {
        if (coordinator.status().phase().finished()) {
            return;
        }
        Set<String> received = new HashSet<>(coordinator.received());
        for (String device : coordinator.selected()) {
            if (!received.contains(device) && awake.add(device)) {
                Future<?> f = pool.submit(() -> {
                    try {
                        ClientLoop.runOnce(clientFor.apply(device), trainerFor.apply(device));
                    } finally {
                        awake.remove(device);
                    }
                    return null;
                });
                synchronized (rounds) {
                    rounds.add(f);
                }
            }
        }
    }

    /** The device rounds started so far (a failed one rethrows its error from {@code get}). */
    List<Future<?>> started() {
        synchronized (rounds) {
            rounds.removeIf(f -> f.isDone() && !failed(f));
            return new ArrayList<>(rounds);
        }
    }

    private static boolean failed(Future<?> f) {
        try {
            f.get();
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
