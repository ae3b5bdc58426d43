package io.fedtt.core.federation.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.Fx;
import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each robust rule against a straightforward reference: the values of a coordinate collected into a
 * list and sorted (median, trimmed mean), and the clipping formula written out per element.
 */
class RobustRulesTest {

    private static final AdapterState GLOBAL = Fx.smallAdapter();
    /** FedTT+-like mask: head.w frozen. */
    private static final TrainableMask MASK = TrainableMask.of(List.of("a.core0", "a.core1", "b.bias"));

    /** {@code n} random updates of the masked tensors around the global, from a fixed seed. */
    private static List<AdapterState> updates(int n, long seed) {
        Random r = new Random(seed);
        List<AdapterState> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Tensor> t = new LinkedHashMap<>();
            for (String name : MASK.trainable()) {
                Tensor g = GLOBAL.get(name);
                float[] d = g.data().clone();
                for (int k = 0; k < d.length; k++) {
                    d[k] += (float) r.nextGaussian() * 0.1f;
                }
                t.put(name, new Tensor(g.shape(), d));
            }
            out.add(new AdapterState(t));
        }
        return out;
    }

    /** The values of coordinate {@code k} of tensor {@code name} over the updates, sorted. */
    private static List<Double> column(List<AdapterState> us, String name, int k) {
        List<Double> col = new ArrayList<>();
        for (AdapterState u : us) {
            col.add((double) u.get(name).data()[k]);
        }
        Collections.sort(col);
        return col;
    }

    private static AdapterState aggregate(AggregationRule rule, List<AdapterState> us) {
        Strategy.Aggregation a = new RobustStrategy(null, rule).startAggregation(GLOBAL, MASK, null);
        for (int i = 0; i < us.size(); i++) {
            a.add("p" + i, us.get(i), 1 + i);
        }
        return a.result().next();
    }

    @Test
    void medianIsTheMiddleOfEachSortedCoordinate() {
        for (int n : new int[] {1, 2, 3, 4, 5, 8}) {
            List<AdapterState> us = updates(n, 7 + n);
            AdapterState got = aggregate(AggregationRule.median(), us);
            for (String name : MASK.trainable()) {
                for (int k = 0; k < GLOBAL.get(name).size(); k++) {
                    List<Double> c = column(us, name, k);
                    double want = n % 2 == 1 ? c.get(n / 2) : (c.get(n / 2 - 1) + c.get(n / 2)) / 2;
                    assertEquals((float) want, got.get(name).data()[k], 0f, name + "[" + k + "] n=" + n);
                }
            }
            assertArrayEquals(GLOBAL.get("head.w").data(), got.get("head.w").data(), 0f, "frozen tensors keep the global");
        }
    }

    @Test
    void trimmedMeanDropsTheKLargestAndSmallestOfEachCoordinate() {
        for (int n : new int[] {1, 3, 5, 7, 10}) {
            for (double beta : new double[] {0.0, 0.1, 0.2, 0.3, 0.49}) {
                List<AdapterState> us = updates(n, 100 + n);
                AdapterState got = aggregate(AggregationRule.trimmedMean(beta), us);
                int k = Math.min((int) Math.floor(beta * n), (n - 1) / 2);
                for (String name : MASK.trainable()) {
                    for (int i = 0; i < GLOBAL.get(name).size(); i++) {
                        List<Double> kept = column(us, name, i).subList(k, n - k);
                        double want = kept.stream().mapToDouble(Double::doubleValue).sum() / kept.size();
                        assertEquals((float) want, got.get(name).data()[i], 0f, name + "[" + i + "] n=" + n + " beta=" + beta);
                    }
                }
            }
        }
        assertEquals(1, RobustRules.trimCount(5, 0.2));
        assertEquals(0, RobustRules.trimCount(4, 0.2));
        assertEquals(1, RobustRules.trimCount(3, 0.49));
        assertEquals(2, RobustRules.trimCount(10, 0.25));
    }

    @Test
    void clippingScalesTheDistanceToTheGlobalDownToTheNorm() {
        float[] g = {1f, 2f, 3f};
        float[] x = {4f, 6f, 3f}; // distance 5
        float[] clipped = RobustRules.clip(x, g, 2.5);
        assertArrayEquals(new float[] {2.5f, 4f, 3f}, clipped, 1e-6f);
        assertEquals(2.5, io.fedtt.core.privacy.Clipping.distance(clipped, g), 1e-6);
        assertSame(x, RobustRules.clip(x, g, 5.0), "an update within the norm is left untouched");
        assertSame(x, RobustRules.clip(x, g, 7.0));
    }

    @Test
    void clippedFedAvgIsTheWeightedMeanOfTheClippedUpdates() {
        List<AdapterState> us = updates(4, 3);
        double clipNorm = 0.3;
        AdapterState got = aggregate(AggregationRule.FEDAVG.withClipNorm(clipNorm), us);
        // reference: per update, the distance over all masked values, then the clip formula per element
        List<Map<String, double[]>> clipped = new ArrayList<>();
        for (AdapterState u : us) {
            double sq = 0;
            for (String name : MASK.trainable()) {
                for (int k = 0; k < GLOBAL.get(name).size(); k++) {
                    double d = (double) u.get(name).data()[k] - GLOBAL.get(name).data()[k];
                    sq += d * d;
                }
            }
            double scale = Math.min(1, clipNorm / Math.sqrt(sq));
            Map<String, double[]> c = new LinkedHashMap<>();
            for (String name : MASK.trainable()) {
                double[] v = new double[GLOBAL.get(name).size()];
                for (int k = 0; k < v.length; k++) {
                    double gk = GLOBAL.get(name).data()[k];
                    v[k] = (float) (gk + ((double) u.get(name).data()[k] - gk) * scale);
                }
                c.put(name, v);
            }
            clipped.add(c);
        }
        double total = 1 + 2 + 3 + 4;
        for (String name : MASK.trainable()) {
            for (int k = 0; k < GLOBAL.get(name).size(); k++) {
                double s = 0;
                for (int i = 0; i < us.size(); i++) {
                    s += (1 + i) * clipped.get(i).get(name)[k];
                }
                assertEquals((float) (s / total), got.get(name).data()[k], 1e-6f, name + "[" + k + "]");
            }
        }
    }

    @Test
    void aRobustStrategyWithPlainFedAvgIsFedAvg() {
        List<AdapterState> us = updates(3, 21);
        Strategy.Aggregation plain = new FedAvg(null).startAggregation(GLOBAL, MASK, null);
        for (int i = 0; i < us.size(); i++) {
            plain.add("p" + i, us.get(i), 1 + i);
        }
        assertEquals(plain.result().next(), aggregate(AggregationRule.FEDAVG, us));
        // a clipNorm larger than every distance changes nothing either
        assertEquals(plain.result().next(), aggregate(AggregationRule.FEDAVG.withClipNorm(1e6), us));
    }

    @Test
    void medianAndTrimmedMeanDoNotDependOnArrivalOrder() {
        List<AdapterState> us = updates(6, 11);
        List<AdapterState> shuffled = new ArrayList<>(us);
        Collections.shuffle(shuffled, new Random(5));
        for (AggregationRule rule : List.of(AggregationRule.median(), AggregationRule.trimmedMean(0.2),
                AggregationRule.median().withClipNorm(0.2))) {
            assertEquals(aggregate(rule, us), aggregate(rule, shuffled), rule.describe());
        }
    }

    @Test
    void badUpdatesAreRefusedWithTheTensorNamed() {
        Strategy.Aggregation a = new RobustStrategy(null, AggregationRule.median()).startAggregation(GLOBAL, MASK, null);
        AdapterState good = updates(1, 1).get(0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.add("p", good.select(n -> !n.equals("b.bias")), 1));
        assertTrue(e.getMessage().contains("'b.bias'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.add("p", GLOBAL, 1));
        assertTrue(e.getMessage().contains("'head.w'"), e.getMessage());
        float[] nan = good.get("a.core0").data().clone();
        nan[2] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class,
                () -> a.add("p", good.with(Map.of("a.core0", new Tensor(GLOBAL.get("a.core0").shape(), nan))), 1));
        assertTrue(e.getMessage().contains("'a.core0'") && e.getMessage().contains("index 2"), e.getMessage());
        assertThrows(IllegalStateException.class, a::result, "nothing was added");
    }

    @Test
    void rulesAreValidatedAndNamed() {
        assertThrows(IllegalArgumentException.class, () -> AggregationRule.trimmedMean(0.5));
        assertThrows(IllegalArgumentException.class, () -> AggregationRule.trimmedMean(-0.1));
        assertThrows(IllegalArgumentException.class, () -> AggregationRule.median().withClipNorm(-1));
        assertThrows(IllegalArgumentException.class, () -> AggregationRule.median().withClipNorm(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> AggregationRule.median().withClipNorm(Double.NaN));
        assertEquals("trimmedMean(0.2)+clip(1.5)", AggregationRule.trimmedMean(0.2).withClipNorm(1.5).describe());
        assertEquals(AggregationRule.Kind.TRIMMED_MEAN, AggregationRule.Kind.parse("trimmedmean"));
        assertThrows(IllegalArgumentException.class, () -> AggregationRule.Kind.parse("krum"));
    }

    @Test
    void aJobGetsFedAvgByDefaultAndItsRobustRuleWhenItAsksForOne() {
        FederationJobSpec.Builder b = FederationJobSpec.builder(new JobId("t", "robust"), GLOBAL).silos("a", "b");
        assertInstanceOf(FedAvg.class, Strategy.forJob(b.build()));
        Strategy s = Strategy.forJob(b.aggregation(AggregationRule.median()).build());
        assertInstanceOf(RobustStrategy.class, s);
        assertEquals("median", s.name());
        assertInstanceOf(RobustStrategy.class, Strategy.forJob(b.aggregation(AggregationRule.FEDAVG.withClipNorm(1)).build()));
        assertEquals(Arrays.asList("a", "b"), s.configureRound(new RoundContext(b.build(), 1, 0, GLOBAL, List.of(),
                java.util.Set.of(), java.util.Set.of(), null)).participants());
    }
}
