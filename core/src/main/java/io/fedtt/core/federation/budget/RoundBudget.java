package io.fedtt.core.federation.budget;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.strategy.RoundPlan;
import io.fedtt.core.tensor.AdapterState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Applies {@link BudgetPlanner} to a strategy's plan of a round's first try, and checks a retry's
 * plan against what is left ({@link #fitRetry}). Masks shrink only under a freezing policy (FedTT+); plain FedTT and LoRA train what they
 * train. Participants shrink only for cross-device jobs, never below the quorum; the ones kept are a
 * seeded draw from the strategy's choice, so a restart recomputes the same round.
 */
public final class RoundBudget {

    private RoundBudget() {
    }

    /**
     * The plan to run, or empty when even the smallest round would exceed the budget.
     *
     * @param used bytes counted on the wire so far, both directions
     */
    public static Optional<RoundPlan> fit(FederationJobSpec spec, int round, RoundPlan plan, AdapterState global,
                                          List<RoundRecord> history, long used) {
        if (spec.budgetBytes() <= 0) {
            return Optional.of(plan);
        }
        long remaining = spec.budgetBytes() - used;
        boolean freezes = spec.freezingName() != null && !"none".equals(spec.freezingName());
        var masks = freezes ? CoreFreezing.shrinking(plan.mask()) : List.of(plan.mask());
        int wanted = plan.participants().size();
        int minimum = spec.crossDevice() ? Math.min(wanted, spec.minParticipants()) : wanted;
        var fitted = BudgetPlanner.plan(remaining, masks, wanted, minimum,
                m -> RoundCostModel.perParticipant(m, global, spec.encoding(), history, spec.crossDevice()));
        return fitted.map(f -> new RoundPlan(keep(plan.participants(), f.participants(), spec.seed(), round),
                f.mask(), plan.task()));
    }

    /**
     * The plan of a retry, or empty when the participants that still have to work cannot be afforded.
     * A retry keeps the try's mask (the updates already accepted were trained on it) and the
     * participants in {@code kept}; only the others cost anything now. A cross-silo retry asks every
     * one of them or none; a cross-device retry samples fewer new devices, never fewer than the quorum
     * still needs.
     *
     * @param used bytes counted on the wire so far, both directions
     */
    public static Optional<RoundPlan> fitRetry(FederationJobSpec spec, int round, int attempt, RoundPlan plan,
                                               Set<String> kept, AdapterState global, List<RoundRecord> history,
                                               long used) {
        if (spec.budgetBytes() <= 0) {
            return Optional.of(plan);
        }
        long remaining = spec.budgetBytes() - used;
        long each = Math.max(1, RoundCostModel.perParticipant(plan.mask(), global, spec.encoding(), history,
                spec.crossDevice()));
        List<String> fresh = plan.participants().stream().filter(p -> !kept.contains(p)).toList();
        int affordable = (int) Math.min(fresh.size(), Math.max(0, remaining) / each);
        int needed = Math.max(1, spec.minParticipants() - kept.size());
        if (affordable < (spec.crossDevice() ? needed : fresh.size())) {
            return Optional.empty();
        }
        List<String> chosen = new ArrayList<>(plan.participants().stream().filter(kept::contains).toList());
        chosen.addAll(keep(fresh, affordable, spec.seed(), round * 1_000 + attempt));
        chosen.sort(null);
        return Optional.of(new RoundPlan(chosen, plan.mask(), plan.task()));
    }

    /** {@code n} of {@code chosen}, drawn with a generator seeded by (job seed, round); sorted by name as plans are. */
    static List<String> keep(List<String> chosen, int n, long seed, int round) {
        if (n >= chosen.size()) {
            return chosen;
        }
        List<String> pool = new ArrayList<>(chosen);
        SplittableRandom rng = new SplittableRandom(seed * 31 + round);
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(pool.size() - i);
            String t = pool.get(j);
            pool.set(j, pool.get(i));
            pool.set(i, t);
        }
        List<String> out = new ArrayList<>(pool.subList(0, n));
        out.sort(null);
        return out;
    }
}
