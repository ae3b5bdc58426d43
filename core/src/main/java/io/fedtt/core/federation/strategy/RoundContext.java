package io.fedtt.core.federation.strategy;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import java.util.List;
import java.util.Set;

/**
 * What a strategy sees when it plans a try of a round.
 *
 * @param round    1-based round number
 * @param attempt  0 for a round's first try, n for its n-th retry
 * @param global   the global adapter the round trains from
 * @param history  every round record so far, completed and failed tries, oldest first
 * @param keep     participants whose update is already accepted in this round (empty on attempt 0)
 * @param avoid    participants silent in earlier tries of this round (empty on attempt 0)
 * @param openMask the mask of the try being retried; null on attempt 0
 */
public record RoundContext(
        FederationJobSpec spec,
        int round,
        int attempt,
        AdapterState global,
        List<RoundRecord> history,
        Set<String> keep,
        Set<String> avoid,
        TrainableMask openMask) {

    public RoundContext {
        history = List.copyOf(history);
        keep = Set.copyOf(keep);
        avoid = Set.copyOf(avoid);
    }
}
