package io.fedtt.core.federation.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.freeze.TrainableMask;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planner's order: as planned, then more cores frozen, then fewer participants, never below the quorum. */
class BudgetPlannerTest {

    private static final TrainableMask FULL = TrainableMask.of(List.of("l.cores.0", "l.cores.1", "l.cores.2", "l.bias"));

    @Test
    void aRoundThatFitsIsLeftAlone() {
        var p = BudgetPlanner.plan(1600, CoreFreezing.shrinking(FULL), 4, 2, m -> 100L * m.size()).orElseThrow();
        assertEquals(FULL, p.mask());
        assertEquals(4, p.participants());
        assertEquals(1600, p.estimatedBytes());
    }

    @Test
    void moreCoresFreezeBeforeFewerParticipantsAreAsked() {
        var p = BudgetPlanner.plan(1300, CoreFreezing.shrinking(FULL), 4, 2, m -> 100L * m.size()).orElseThrow();
        assertEquals(TrainableMask.of(List.of("l.cores.0", "l.cores.1", "l.bias")), p.mask());
        assertEquals(4, p.participants());
    }

    @Test
    void fewerParticipantsWhenFreezingCannotHelpButNeverBelowTheQuorum() {
        var masks = List.of(FULL);
        var p = BudgetPlanner.plan(1300, masks, 4, 2, m -> 400L).orElseThrow();
        assertEquals(3, p.participants());
        assertTrue(p.estimatedBytes() <= 1300);
        assertTrue(BudgetPlanner.plan(799, masks, 4, 2, m -> 400L).isEmpty());
    }

    @Test
    void shrinkingKeepsNonCoreTensorsAndOneCorePerLayer() {
        TrainableMask two = TrainableMask.of(List.of("a.cores.0", "a.cores.1", "a.cores.2", "b.cores.0", "b.cores.1", "head.w"));
        List<TrainableMask> s = CoreFreezing.shrinking(two);
        assertEquals(3, s.size());
        assertEquals(TrainableMask.of(List.of("a.cores.0", "a.cores.1", "b.cores.0", "head.w")), s.get(1));
        assertEquals(TrainableMask.of(List.of("a.cores.0", "b.cores.0", "head.w")), s.get(2));
        assertEquals(List.of(TrainableMask.of(List.of("head.w"))), CoreFreezing.shrinking(TrainableMask.of(List.of("head.w"))));
    }
}
