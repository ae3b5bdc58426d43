package io.fedtt.core.federation.strategy;

import io.fedtt.core.tensor.AdapterState;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one round's aggregation produced.
 *
 * @param next        the next global adapter's tensors (metadata is stamped by the coordinator)
 * @param energy      per-tensor update energy per parameter of the step from the old global to
 *                    {@code next} (read by adaptive freezing and recorded in the round's history)
 * @param serverState the strategy's server-side state after this round, persisted with the snapshot
 *                    and handed to the next {@link Strategy#startAggregation}; null when stateless
 */
public record AggregateResult(AdapterState next, Map<String, Double> energy, byte[] serverState) {

    public AggregateResult {
        Objects.requireNonNull(next, "next");
        energy = Collections.unmodifiableSortedMap(new TreeMap<>(energy));
    }
}
