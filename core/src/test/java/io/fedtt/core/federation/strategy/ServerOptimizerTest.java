package io.fedtt.core.federation.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.strategy.ServerOptimizer.Kind;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each server optimizer's step against values worked out by hand on a two-value tensor over two
 * rounds (the second round shows the moments carried through the server state).
 */
class ServerOptimizerTest {

    private static final double EPS = 1e-6;

    /** Global "w" = [1, -0.5] plus a frozen-or-not "f" = [3]. */
    private static AdapterState global(float w0, float w1, float f) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("f", new Tensor(new int[] {1}, new float[] {f}));
        t.put("w", new Tensor(new int[] {2}, new float[] {w0, w1}));
        return new AdapterState(t);
    }

    /** One round through the optimizer: a single update at global + delta, so the mean is that point. */
    private static AggregateResult round(ServerOptimizer o, AdapterState g, List<String> trainable, byte[] state,
            float dw0, float dw1, float df) {
        Strategy s = new OptimizedStrategy(new FedAvg(null), o);
        TrainableMask mask = TrainableMask.of(trainable);
        Strategy.Aggregation a = s.startAggregation(g, mask, state);
        AdapterState moved = global(g.get("w").data()[0] + dw0, g.get("w").data()[1] + dw1, g.get("f").data()[0] + df);
        a.add("silo", moved.select(mask::isTrainable), 7);
        return a.result();
    }

    private static float[] w(AggregateResult r) {
        return r.next().get("w").data();
    }

    private static final List<String> BOTH = List.of("f", "w");

    @Test
    void fedAvgMAccumulatesMomentum() {
        ServerOptimizer o = new ServerOptimizer(Kind.FEDAVGM, 1.0, 0.5, 0.99, 1e-3);
        AggregateResult r1 = round(o, global(1f, -0.5f, 3f), BOTH, null, 0.5f, -0.25f, 0);
        // m = [0.5, -0.25]; x = [1.5, -0.75]
        assertArrayEquals(new float[] {1.5f, -0.75f}, w(r1));
        AggregateResult r2 = round(o, r1.next(), BOTH, r1.serverState(), 0.25f, 0.25f, 0);
        // m = 0.5 [0.5, -0.25] + [0.25, 0.25] = [0.5, 0.125]; x = [2.0, -0.625]
        assertArrayEquals(new float[] {2.0f, -0.625f}, w(r2));
    }

    @Test
    void fedAvgMScalesByItsLearningRate() {
        ServerOptimizer o = new ServerOptimizer(Kind.FEDAVGM, 0.5, 0.0, 0.99, 1e-3);
        AggregateResult r1 = round(o, global(1f, -0.5f, 3f), BOTH, null, 0.5f, -0.25f, 0);
        assertArrayEquals(new float[] {1.25f, -0.625f}, w(r1));
    }

    @Test
    void fedAdamScalesByTheSecondMoment() {
        ServerOptimizer o = new ServerOptimizer(Kind.FEDADAM, 0.1, 0.5, 0.75, 0.5);
        AggregateResult r1 = round(o, global(1f, -0.5f, 3f), BOTH, null, 0.5f, -0.25f, 0);
        // m = 0.5 d = [0.25, -0.125]; v = 0.25 d^2 = [0.0625, 0.015625]; sqrt v = [0.25, 0.125]
        double x0 = 1 + 0.1 * 0.25 / (0.25 + 0.5);
        double x1 = -0.5 + 0.1 * -0.125 / (0.125 + 0.5);
        assertEquals(x0, w(r1)[0], EPS);
        assertEquals(x1, w(r1)[1], EPS);
        AggregateResult r2 = round(o, r1.next(), BOTH, r1.serverState(), 0.25f, 0.25f, 0);
        // m = 0.5 [0.25, -0.125] + 0.5 [0.25, 0.25] = [0.25, 0.0625]
        // v = 0.75 [0.0625, 0.015625] + 0.25 [0.0625, 0.0625] = [0.0625, 0.02734375]
        assertEquals(x0 + 0.1 * 0.25 / (0.25 + 0.5), w(r2)[0], EPS);
        assertEquals(x1 + 0.1 * 0.0625 / (Math.sqrt(0.02734375) + 0.5), w(r2)[1], EPS);
    }

    @Test
    void fedYogiMovesTheSecondMomentAdditively() {
        ServerOptimizer o = new ServerOptimizer(Kind.FEDYOGI, 0.1, 0.5, 0.75, 0.5);
        AggregateResult r1 = round(o, global(1f, -0.5f, 3f), BOTH, null, 0.5f, -0.25f, 0);
        // from v = 0, sign(v - d^2) = -1: v = 0.25 d^2, the same first step as FedAdam
        double x0 = 1 + 0.1 * 0.25 / (0.25 + 0.5);
        double x1 = -0.5 + 0.1 * -0.125 / (0.125 + 0.5);
        assertEquals(x0, w(r1)[0], EPS);
        assertEquals(x1, w(r1)[1], EPS);
        AggregateResult r2 = round(o, r1.next(), BOTH, r1.serverState(), 0.25f, 0.25f, 0);
        // d^2 = [0.0625, 0.0625]; v - d^2 = [0, < 0]: v = [0.0625, 0.015625 + 0.25 x 0.0625] = [0.0625, 0.03125]
        assertEquals(x0 + 0.1 * 0.25 / (0.25 + 0.5), w(r2)[0], 1e-5);
        assertEquals(x1 + 0.1 * 0.0625 / (Math.sqrt(0.03125) + 0.5), w(r2)[1], EPS);
        assertEquals(0.03125, ServerMoments.decode(r2.serverState(), Kind.FEDYOGI).second("w", 2)[1], 1e-9);
    }

    @Test
    void aFrozenTensorTakesNoStepAndKeepsItsMoments() {
        ServerOptimizer o = new ServerOptimizer(Kind.FEDADAM, 0.1, 0.5, 0.75, 0.5);
        AggregateResult r1 = round(o, global(1f, -0.5f, 3f), BOTH, null, 0.5f, -0.25f, 0.5f);
        float[] fAfter1 = r1.next().get("f").data().clone();
        ServerMoments before = ServerMoments.decode(r1.serverState(), Kind.FEDADAM);
        float[] m = before.first("f", 1).clone();
        float[] v = before.second("f", 1).clone();

        AggregateResult r2 = round(o, r1.next(), List.of("w"), r1.serverState(), 0.25f, 0.25f, 0);
        assertArrayEquals(fAfter1, r2.next().get("f").data(), "frozen: the global's values");
        assertEquals(0.0, r2.energy().getOrDefault("f", 0.0));
        ServerMoments after = ServerMoments.decode(r2.serverState(), Kind.FEDADAM);
        assertArrayEquals(m, after.first("f", 1), "frozen: first moment untouched");
        assertArrayEquals(v, after.second("f", 1), "frozen: second moment untouched");
    }

    @Test
    void aTensorThatNeverTrainedHasNoMoments() {
        ServerOptimizer o = ServerOptimizer.defaults(Kind.FEDAVGM);
        AggregateResult r1 = round(o, global(1f, -0.5f, 3f), List.of("w"), null, 0.5f, -0.25f, 0);
        assertEquals(false, ServerMoments.decode(r1.serverState(), Kind.FEDAVGM).has("f"));
        assertEquals(true, ServerMoments.decode(r1.serverState(), Kind.FEDAVGM).has("w"));
    }

    @Test
    void theOptimizerStepsFromWhateverPointARobustRuleProduced() {
        ServerOptimizer o = new ServerOptimizer(Kind.FEDAVGM, 1.0, 0.5, 0.99, 1e-3);
        Strategy s = new OptimizedStrategy(new RobustStrategy(null, AggregationRule.median()), o);
        AdapterState g = global(1f, -0.5f, 3f);
        TrainableMask mask = TrainableMask.of(List.of("w"));
        Strategy.Aggregation a = s.startAggregation(g, mask, null);
        a.add("a", global(1.5f, 0f, 3f).select(mask::isTrainable), 1);
        a.add("b", global(2f, 0f, 3f).select(mask::isTrainable), 1);
        a.add("c", global(100f, 0f, 3f).select(mask::isTrainable), 1);
        // median [2, 0]: delta [1, 0.5]; with m = 0 before, x = g + delta
        assertArrayEquals(new float[] {2f, 0f}, a.result().next().get("w").data());
        assertEquals("median+fedavgm", s.name());
    }

    @Test
    void forJobWrapsOnlyWhenAnOptimizerIsAsked() {
        FederationJobSpec.Builder b = FederationJobSpec.builder(new JobId("t", "opt"), global(1f, 2f, 3f)).silos("s0");
        assertInstanceOf(FedAvg.class, Strategy.forJob(b.build()), "the default stays plain FedAvg");
        Strategy adam = Strategy.forJob(b.serverOptimizer(ServerOptimizer.defaults(Kind.FEDADAM)).build());
        OptimizedStrategy os = assertInstanceOf(OptimizedStrategy.class, adam);
        assertEquals(0.01, os.optimizer().learningRate());
        assertEquals("fedavg+fedadam", adam.name());
        assertSame(ServerOptimizer.FEDAVG, b.serverOptimizer(null).build().serverOptimizer());
    }

    @Test
    void plainFedAvgIsStateless() {
        Strategy s = Strategy.forJob(FederationJobSpec.builder(new JobId("t", "opt"), global(1f, 2f, 3f)).silos("s0").build());
        Strategy.Aggregation a = s.startAggregation(global(1f, 2f, 3f), TrainableMask.of(BOTH), null);
        a.add("s0", global(2f, 2f, 3f), 1);
        assertNull(a.result().serverState());
    }

    @Test
    void badKnobsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ServerOptimizer(Kind.FEDADAM, 0, 0.9, 0.99, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> new ServerOptimizer(Kind.FEDADAM, 0.1, 1.0, 0.99, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> new ServerOptimizer(Kind.FEDADAM, 0.1, 0.9, -0.1, 1e-3));
        assertThrows(IllegalArgumentException.class, () -> new ServerOptimizer(Kind.FEDADAM, 0.1, 0.9, 0.99, 0));
        assertThrows(IllegalArgumentException.class, () -> Kind.parse("sgd"));
        assertEquals(Kind.FEDYOGI, Kind.parse("FedYogi"));
    }
}
