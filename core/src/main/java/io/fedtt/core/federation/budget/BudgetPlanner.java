package io.fedtt.core.federation.budget;

import io.fedtt.core.freeze.TrainableMask;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Fits a round into what is left of {@code spec.communication.budgetBytes}. Pure: given the bytes
 * left, the masks the round may train (the freezing policy's first, then ones that freeze more
 * cores), the number of participants the round would sample and the quorum below which it may not
 * go, it returns the largest round that fits, or empty when none does (the job then ends with
 * {@code BudgetExhausted} before anything is sent).
 *
 * <p>Order of preference: keep the mask and all participants; else freeze more cores (fewer bytes
 * per participant, same statistical sample); else sample fewer participants, never below the quorum,
 * trying the fullest mask first at each count. Cores go first because fewer clients make each round
 * noisier, while FedTT+ already trains only some cores per round by design.
 */
public final class BudgetPlanner {

    private BudgetPlanner() {
    }

    /** The round's shape after planning, and its estimated bytes. */
    public record Plan(TrainableMask mask, int participants, long estimatedBytes) {
    }

    /**
     * @param remaining    budget bytes not yet used
     * @param masks        the masks allowed this round, most preferred (largest) first; not empty
     * @param wanted       participants the round would sample
     * @param minimum      the quorum: fewer is never planned
     * @param bytesPerParticipant the estimate of one participant's bytes under a mask
     */
    public static Optional<Plan> plan(long remaining, List<TrainableMask> masks, int wanted, int minimum,
                                      ToLongFunction<TrainableMask> bytesPerParticipant) {
        Objects.requireNonNull(masks, "masks");
        if (masks.isEmpty()) {
            throw new IllegalArgumentException("masks: at least one is needed");
        }
        if (minimum < 1 || minimum > wanted) {
            throw new IllegalArgumentException("minimum must be in [1, " + wanted + "], got " + minimum);
        }
        for (int n = wanted; n >= minimum; n--) {
            for (TrainableMask m : masks) {
                long each = bytesPerParticipant.applyAsLong(m);
                long total = Math.multiplyExact(each, (long) n);
                if (total <= remaining) {
                    return Optional.of(new Plan(m, n, total));
                }
            }
        }
        return Optional.empty();
    }
}
