package io.fedtt.core.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class StreamingFedAvgTest {

    private record Update(AdapterState state, double weight) {
    }

    private static Tensor random(SplittableRandom rnd, int... shape) {
        float[] v = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(-3, 3)));
        }
        return new Tensor(shape, v);
    }

    private static AdapterState randomGlobal(SplittableRandom rnd) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        int n = rnd.nextInt(1, 8);
        for (int i = 0; i < n; i++) {
            m.put("t" + i, random(rnd, rnd.nextInt(1, 5), rnd.nextInt(1, 7), rnd.nextInt(1, 5)));
        }
        return new AdapterState(m, Map.of("round", "4"));
    }

    private static TrainableMask randomMask(SplittableRandom rnd, AdapterState global) {
        TreeSet<String> names = new TreeSet<>();
        for (String name : global.names()) {
            if (rnd.nextInt(3) != 0) {
                names.add(name);
            }
        }
        if (names.isEmpty()) {
            names.add(global.names().iterator().next());
        }
        return new TrainableMask(names);
    }

    private static List<Update> randomUpdates(SplittableRandom rnd, AdapterState global, TrainableMask mask, int n) {
        List<Update> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            for (String name : mask.trainable()) {
                m.put(name, random(rnd, global.get(name).shape()));
            }
            double w = rnd.nextBoolean() ? rnd.nextInt(1, 5000) : rnd.nextDouble(0.01, 100);
            out.add(new Update(new AdapterState(m), w));
        }
        return out;
    }

    private static AdapterState aggregate(AdapterState global, TrainableMask mask, List<Update> updates) {
        StreamingFedAvg avg = new StreamingFedAvg(global, mask);
        for (Update u : updates) {
            avg.add(u.state(), u.weight());
        }
        assertEquals(updates.size(), avg.count());
        return avg.result();
    }

    /** The weighted mean of one element, computed exactly. */
    private static double exactMean(List<Update> updates, String name, int index) {
        BigDecimal num = BigDecimal.ZERO;
        BigDecimal den = BigDecimal.ZERO;
        for (Update u : updates) {
            BigDecimal w = new BigDecimal(u.weight());
            num = num.add(w.multiply(new BigDecimal(u.state().get(name).data()[index])));
            den = den.add(w);
        }
        return num.divide(den, MathContext.DECIMAL128).doubleValue();
    }

    @Test
    void equalsTheExactWeightedMeanAndKeepsFrozenTensors() {
        SplittableRandom rnd = new SplittableRandom(11);
        double worst = 0;
        for (int trial = 0; trial < 60; trial++) {
            AdapterState global = randomGlobal(rnd);
            TrainableMask mask = randomMask(rnd, global);
            List<Update> updates = randomUpdates(rnd, global, mask, rnd.nextInt(1, 25));
            AdapterState result = aggregate(global, mask, updates);
            assertEquals(global.names(), result.names());
            assertEquals(global.metadata(), result.metadata());
            for (String name : global.names()) {
                if (!mask.isTrainable(name)) {
                    assertSame(global.get(name), result.get(name), "frozen tensor kept: " + name);
                    continue;
                }
                float[] got = result.get(name).data();
                for (int i = 0; i < got.length; i++) {
                    double exact = exactMean(updates, name, i);
                    // The result is a float: within half a float ulp of the exact mean, plus slack.
                    double err = Math.abs(got[i] - exact);
                    assertTrue(err <= Math.ulp((float) exact) * 0.5 + 1e-12 * Math.abs(exact),
                            name + "[" + i + "] = " + got[i] + ", exact " + exact);
                    worst = Math.max(worst, err / Math.max(Math.abs(exact), 1e-30));
                }
            }
        }
        System.out.printf("StreamingFedAvg: worst relative error vs exact mean %.3g%n", worst);
    }

    @Test
    void resultDoesNotDependOnArrivalOrder() {
        SplittableRandom rnd = new SplittableRandom(12);
        Random shuffler = new Random(12);
        for (int trial = 0; trial < 30; trial++) {
            AdapterState global = randomGlobal(rnd);
            TrainableMask mask = randomMask(rnd, global);
            List<Update> updates = randomUpdates(rnd, global, mask, rnd.nextInt(2, 30));
            AdapterState first = aggregate(global, mask, updates);
            Collections.shuffle(updates, shuffler);
            AdapterState second = aggregate(global, mask, updates);
            for (String name : mask.trainable()) {
                float[] a = first.get(name).data();
                float[] b = second.get(name).data();
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 1e-6 * Math.max(1, Math.abs(a[i])), name + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void singleUpdateIsReturnedAsIsAndWeightsAreSummed() {
        SplittableRandom rnd = new SplittableRandom(13);
        AdapterState global = randomGlobal(rnd);
        TrainableMask mask = TrainableMask.of(global.names());
        List<Update> one = randomUpdates(rnd, global, mask, 1);
        StreamingFedAvg avg = new StreamingFedAvg(global, mask);
        avg.add(one.get(0).state(), 37);
        assertEquals(37, avg.totalWeight());
        assertEquals(one.get(0).state().tensors(), avg.result().tensors());
        avg.add(one.get(0).state(), 5);
        assertEquals(42, avg.totalWeight());
        assertEquals(2, avg.count());
    }

    @Test
    void rejectsUpdatesThatDoNotMatchTheRoundNamingTheTensor() {
        SplittableRandom rnd = new SplittableRandom(14);
        Map<String, Tensor> g = new LinkedHashMap<>();
        g.put("a.core_0", random(rnd, 1, 4, 3));
        g.put("a.core_1", random(rnd, 3, 4, 1));
        g.put("a.bias", random(rnd, 16));
        AdapterState global = new AdapterState(g);
        TrainableMask mask = TrainableMask.of(List.of("a.core_1", "a.bias"));
        StreamingFedAvg avg = new StreamingFedAvg(global, mask);
        Tensor core1 = random(rnd, 3, 4, 1);
        Tensor bias = random(rnd, 16);

        String missing = assertThrows(IllegalArgumentException.class,
                () -> avg.add(new AdapterState(Map.of("a.core_1", core1)), 10)).getMessage();
        assertEquals("update is missing trainable tensor 'a.bias'", missing);
        String frozen = assertThrows(IllegalArgumentException.class, () -> avg.add(new AdapterState(
                Map.of("a.core_1", core1, "a.bias", bias, "a.core_0", random(rnd, 1, 4, 3))), 10)).getMessage();
        assertEquals("update has tensor 'a.core_0', which is frozen this round", frozen);
        String unknown = assertThrows(IllegalArgumentException.class, () -> avg.add(new AdapterState(
                Map.of("a.core_1", core1, "a.bias", bias, "b", bias)), 10)).getMessage();
        assertEquals("update has tensor 'b', which is not in the global adapter", unknown);
        String shape = assertThrows(IllegalArgumentException.class, () -> avg.add(new AdapterState(
                Map.of("a.core_1", random(rnd, 3, 2, 2), "a.bias", bias)), 10)).getMessage();
        assertEquals("update tensor 'a.core_1' has shape [3, 2, 2] but the global has [3, 4, 1]", shape);
        float[] nan = bias.data().clone();
        nan[5] = Float.NaN;
        String nonFinite = assertThrows(IllegalArgumentException.class, () -> avg.add(new AdapterState(
                Map.of("a.core_1", core1, "a.bias", new Tensor(new int[] {16}, nan))), 10)).getMessage();
        assertEquals("update tensor 'a.bias' holds NaN at index 5", nonFinite);
        for (double w : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class,
                    () -> avg.add(new AdapterState(Map.of("a.core_1", core1, "a.bias", bias)), w));
        }
        // Nothing rejected left a trace.
        assertEquals(0, avg.count());
        assertThrows(IllegalStateException.class, avg::result);
        avg.add(new AdapterState(Map.of("a.core_1", core1, "a.bias", bias)), 3);
        assertEquals(core1, avg.result().get("a.core_1"));

        String notInGlobal = assertThrows(IllegalArgumentException.class,
                () -> new StreamingFedAvg(global, TrainableMask.of(List.of("zz")))).getMessage();
        assertEquals("trainable tensor 'zz' is not in the global adapter", notInGlobal);
    }
}
