package io.fedtt.core.federation.coordinator;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * How a coordinator runs, apart from the job itself.
 *
 * @param clock source of time for deadlines and history (tests inject a settable one)
 * @param driver runs round finalization (aggregate, persist, evaluate, open the next round); null
 *     means a dedicated thread per job. {@code Runnable::run} makes it synchronous (tests).
 * @param evaluator optional central evaluation of each new global adapter
 * @param listeners round event listeners
 * @param maxUpdateBytes the largest update body accepted
 * @param keepUpdates keep the update files of aggregated rounds in the store (audit) instead of pruning
 */
public record CoordinatorOptions(
        Clock clock,
        Executor driver,
        CentralEvaluator evaluator,
        List<RoundListener> listeners,
        long maxUpdateBytes,
        boolean keepUpdates) {

    public static final long DEFAULT_MAX_UPDATE_BYTES = 64L << 20;

    public CoordinatorOptions {
        clock = clock == null ? Clock.systemUTC() : clock;
        listeners = List.copyOf(listeners == null ? List.of() : listeners);
        if (maxUpdateBytes < 16) {
            throw new IllegalArgumentException("maxUpdateBytes must be at least 16, got " + maxUpdateBytes);
        }
    }

    public static CoordinatorOptions defaults() {
        return new CoordinatorOptions(Clock.systemUTC(), null, null, List.of(), DEFAULT_MAX_UPDATE_BYTES, false);
    }

    public CoordinatorOptions withClock(Clock value) {
        return new CoordinatorOptions(value, driver, evaluator, listeners, maxUpdateBytes, keepUpdates);
    }

    public CoordinatorOptions withDriver(Executor value) {
        return new CoordinatorOptions(clock, value, evaluator, listeners, maxUpdateBytes, keepUpdates);
    }

    public CoordinatorOptions withEvaluator(CentralEvaluator value) {
        return new CoordinatorOptions(clock, driver, value, listeners, maxUpdateBytes, keepUpdates);
    }

    public CoordinatorOptions withListener(RoundListener value) {
        List<RoundListener> l = new java.util.ArrayList<>(listeners);
        l.add(value);
        return new CoordinatorOptions(clock, driver, evaluator, l, maxUpdateBytes, keepUpdates);
    }

    public CoordinatorOptions withMaxUpdateBytes(long value) {
        return new CoordinatorOptions(clock, driver, evaluator, listeners, value, keepUpdates);
    }

    public CoordinatorOptions withKeepUpdates(boolean value) {
        return new CoordinatorOptions(clock, driver, evaluator, listeners, maxUpdateBytes, value);
    }
}
