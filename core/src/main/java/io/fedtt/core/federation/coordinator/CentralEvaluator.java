package io.fedtt.core.federation.coordinator;

import io.fedtt.core.federation.EvalMetrics;
import io.fedtt.core.tensor.AdapterState;

/**
 * Evaluates a new global adapter on held-out data the server holds (simulate's test split). Runs
 * once per completed round, outside the coordinator's lock, before the next round opens.
 */
@FunctionalInterface
public interface CentralEvaluator {

    EvalMetrics evaluate(int round, AdapterState global);
}
