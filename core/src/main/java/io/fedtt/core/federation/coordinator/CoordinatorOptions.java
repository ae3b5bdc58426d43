package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.strategy.FedAvg;
import io.fedtt.core.federation.strategy.Strategy;
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
 * @param strategy how rounds are planned and aggregated; null means the job's own: {@link FedAvg}
 *     with its freezing policy, or its robust aggregation rule ({@link Strategy#forJob})
 */
public record CoordinatorOptions(
        Clock clock,
        Executor driver,
        CentralEvaluator evaluator,
        List<RoundListener> listeners,
        long maxUpdateBytes,
        boolean keepUpdates,
        Strategy strategy) {

    public static final long DEFAULT_MAX_UPDATE_BYTES = 64L << 20;

    public CoordinatorOptions {
        clock = clock == null ? Clock.systemUTC() : clock;
        listeners = List.copyOf(listeners == null ? List.of() : listeners);
        if (maxUpdateBytes < 16) {
            throw new IllegalArgumentException("maxUpdateBytes must be at least 16, got " + maxUpdateBytes);
        }
    }

    /** Options with the default strategy (the form before strategies were pluggable). */
    public CoordinatorOptions(Clock clock, Executor driver, CentralEvaluator evaluator, List<RoundListener> listeners,
                              long maxUpdateBytes, boolean keepUpdates) {
        this(clock, driver, evaluator, listeners, maxUpdateBytes, keepUpdates, null);
    }

    public static CoordinatorOptions defaults() {
        return new CoordinatorOptions(Clock.systemUTC(), null, null, List.of(), DEFAULT_MAX_UPDATE_BYTES, false, null);
    }

    public CoordinatorOptions withClock(Clock value) {
        return new CoordinatorOptions(value, driver, evaluator, listeners, maxUpdateBytes, keepUpdates, strategy);
    }

    public CoordinatorOptions withDriver(Executor value) {
        return new CoordinatorOptions(clock, value, evaluator, listeners, maxUpdateBytes, keepUpdates, strategy);
    }

    public CoordinatorOptions withEvaluator(CentralEvaluator value) {
        return new CoordinatorOptions(clock, driver, value, listeners, maxUpdateBytes, keepUpdates, strategy);
    }

    public CoordinatorOptions withListener(RoundListener value) {
        List<RoundListener> l = new java.util.ArrayList<>(listeners);
        l.add(value);
        return new CoordinatorOptions(clock, driver, evaluator, l, maxUpdateBytes, keepUpdates, strategy);
    }

    public CoordinatorOptions withMaxUpdateBytes(long value) {
        return new CoordinatorOptions(clock, driver, evaluator, listeners, value, keepUpdates, strategy);
    }

    public CoordinatorOptions withKeepUpdates(boolean value) {
        return new CoordinatorOptions(clock, driver, evaluator, listeners, maxUpdateBytes, value, strategy);
    }

    public CoordinatorOptions withStrategy(Strategy value) {
        return new CoordinatorOptions(clock, driver, evaluator, listeners, maxUpdateBytes, keepUpdates, value);
    }

    /** The strategy a job runs: the one set here, else the job's ({@link Strategy#forJob}). */
    public Strategy strategyFor(FederationJobSpec spec) {
        return strategy != null ? strategy : Strategy.forJob(spec);
    }
}
