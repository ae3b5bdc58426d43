package io.fedtt.core.federation.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.FederationJobSpec;
import io.fedtt.core.federation.Fx;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.Sampling;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.privacy.Clipping;
import io.fedtt.core.privacy.DifferentialPrivacy;
import io.fedtt.core.privacy.GaussianNoise;
import io.fedtt.core.privacy.NoiseAssertions;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CentralDpStrategyTest {

    private static final AdapterState GLOBAL = Fx.smallAdapter();
    private static final TrainableMask HEAD_FROZEN = TrainableMask.of(Fx.HEAD_FROZEN_TRAINABLE);

    /** A generator whose Gaussian draws are all 0: isolates clipping and averaging from the noise. */
    private static GaussianNoise noNoise() {
        return GaussianNoise.from(new Random() {
            @Override
            public synchronized double nextGaussian() {
                return 0;
            }
        });
    }

    private static AdapterState randomUpdate(AdapterState global, TrainableMask mask, Random rnd, double scale) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : mask.trainable()) {
            Tensor g = global.get(name);
            float[] d = g.data().clone();
            for (int k = 0; k < d.length; k++) {
                d[k] += (float) (scale * rnd.nextGaussian());
            }
            out.put(name, new Tensor(g.shape(), d));
        }
        return new AdapterState(out);
    }

    private static float[] step(AdapterState next, AdapterState global, TrainableMask mask) {
        float[] x = RobustRules.flattenGlobal(next, mask);
        float[] g = RobustRules.flattenGlobal(global, mask);
        float[] d = new float[x.length];
        for (int k = 0; k < d.length; k++) {
            d[k] = x[k] - g[k];
        }
        return d;
    }

    private static double norm(float[] d) {
        return Clipping.distance(d, new float[d.length]);
    }

    @Test
    void everyContributionIsBoundedByClipNormOverTheSelectedCount() {
        // property over random updates of any size: one update moves the mean by at most clipNorm / n,
        // and adding one update to a set moves the result by at most clipNorm / n too
        Random rnd = new Random(7);
        double clip = 0.5;
        int n = 4;
        CentralDpStrategy dp = new CentralDpStrategy(new FedAvg(null), DifferentialPrivacy.central(clip, 1.0), n, noNoise());
        for (int trial = 0; trial < 200; trial++) {
            double scale = Math.pow(10, rnd.nextInt(7) - 4); // 1e-4 .. 1e2: inside and far outside the ball
            AdapterState a = randomUpdate(GLOBAL, HEAD_FROZEN, rnd, scale);
            AdapterState b = randomUpdate(GLOBAL, HEAD_FROZEN, rnd, scale * 3);
            Strategy.Aggregation one = dp.startAggregation(GLOBAL, HEAD_FROZEN, null);
            one.add("a", a, 1e9); // a huge claimed weight changes nothing
            float[] alone = step(one.result().next(), GLOBAL, HEAD_FROZEN);
            assertTrue(norm(alone) <= clip / n * (1 + 1e-5), "one update moved the global by " + norm(alone));
            Strategy.Aggregation two = dp.startAggregation(GLOBAL, HEAD_FROZEN, null);
            two.add("a", a, 1);
            two.add("b", b, 1);
            float[] both = step(two.result().next(), GLOBAL, HEAD_FROZEN);
            float[] diff = new float[both.length];
            for (int k = 0; k < diff.length; k++) {
                diff[k] = both[k] - alone[k];
            }
            assertTrue(norm(diff) <= clip / n * (1 + 1e-5), "adding an update moved the result by " + norm(diff));
        }
    }

    @Test
    void smallChangesPassUnclippedAndWeightsPlayNoPart() {
        double clip = 10;
        CentralDpStrategy dp = new CentralDpStrategy(new FedAvg(null), DifferentialPrivacy.central(clip, 1.0), 3, noNoise());
        Strategy.Aggregation agg = dp.startAggregation(GLOBAL, HEAD_FROZEN, null);
        AdapterState u0 = Fx.pseudoUpdate(GLOBAL, HEAD_FROZEN.trainable(), "s0", 1);
        AdapterState u1 = Fx.pseudoUpdate(GLOBAL, HEAD_FROZEN.trainable(), "s1", 1);
        agg.add("s0", u0, 100);
        agg.add("s1", u1, 1);
        AdapterState next = agg.result().next();
        for (String name : HEAD_FROZEN.trainable()) {
            float[] g = GLOBAL.get(name).data();
            float[] x = next.get(name).data();
            for (int k = 0; k < g.length; k++) {
                // the sum of both changes over the 3 selected: the silent third counts as no change
                double expected = g[k] + ((u0.get(name).data()[k] - g[k]) + (u1.get(name).data()[k] - g[k])) / 3.0;
                assertEquals(expected, x[k], 1e-6, name + "[" + k + "]");
            }
        }
    }

    @Test
    void frozenTensorsAreNeitherClippedInNorNoised() {
        CentralDpStrategy dp = new CentralDpStrategy(new FedAvg(null), DifferentialPrivacy.central(0.1, 3.0), 2,
                GaussianNoise.from(new Random(1)));
        Strategy.Aggregation agg = dp.startAggregation(GLOBAL, HEAD_FROZEN, null);
        agg.add("a", randomUpdate(GLOBAL, HEAD_FROZEN, new Random(2), 5), 1);
        AdapterState next = agg.result().next();
        assertArrayEquals(GLOBAL.get("head.w").data(), next.get("head.w").data(), "frozen head bit-identical");
        assertTrue(Fx.maxAbsDiff(next.select(HEAD_FROZEN::isTrainable), GLOBAL.select(HEAD_FROZEN::isTrainable)) > 0);
        AdapterState withFrozen = randomUpdate(GLOBAL, TrainableMask.of(GLOBAL.names()), new Random(3), 1);
        Strategy.Aggregation again = dp.startAggregation(GLOBAL, HEAD_FROZEN, null);
        assertThrows(IllegalArgumentException.class, () -> again.add("a", withFrozen, 1), "a frozen tensor in an update is refused");
    }

    @Test
    void noiseHasMeanZeroAndTheDeclaredStandardDeviation() {
        Map<String, Tensor> big = new LinkedHashMap<>();
        big.put("core", new Tensor(new int[] {200, 250}, new float[50_000]));
        big.put("frozen", new Tensor(new int[] {10}, new float[10]));
        AdapterState global = new AdapterState(big);
        TrainableMask mask = TrainableMask.of(List.of("core"));
        double clip = 2, z = 1.5;
        int n = 3;
        CentralDpStrategy dp = new CentralDpStrategy(new FedAvg(null), DifferentialPrivacy.central(clip, z), n,
                GaussianNoise.from(new Random(12345)));
        double std = z * clip / n;
        assertEquals(std, dp.noiseStd(), 1e-15);
        Strategy.Aggregation agg = dp.startAggregation(global, mask, null);
        agg.add("unchanged", global.select(mask::isTrainable), 1); // a zero change: the result is pure noise
        NoiseAssertions.assertZeroMeanNoise(agg.result().next().get("core").data(), std);
    }

    @Test
    void aJobWithCentralDpRunsThisStrategyAndRefusesRobustRules() {
        FederationJobSpec.Builder b = FederationJobSpec.builder(new JobId("t", "dp"), GLOBAL).silos("a", "b", "c")
                .privacy(DifferentialPrivacy.central(1, 1));
        assertInstanceOf(CentralDpStrategy.class, Strategy.forJob(b.build()));
        assertInstanceOf(OptimizedStrategy.class,
                Strategy.forJob(b.serverOptimizer(ServerOptimizer.defaults(ServerOptimizer.Kind.FEDADAM)).build()));
        for (AggregationRule bad : List.of(AggregationRule.median(), AggregationRule.trimmedMean(0.2),
                AggregationRule.FEDAVG.withClipNorm(1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.aggregation(bad).build());
            assertTrue(e.getMessage().contains("method.aggregation") && e.getMessage().contains("central differential privacy"),
                    e.getMessage());
        }
        // local DP is the clients' business: any aggregation rule goes
        b.privacy(DifferentialPrivacy.local(1, 1)).aggregation(AggregationRule.median()).build();
        assertInstanceOf(RobustStrategy.class, Strategy.forJob(b.serverOptimizer(ServerOptimizer.FEDAVG).build()));
    }

    @Test
    void theMeanIsOverTheSelectedCountOfACrossDeviceRound() {
        FederationJobSpec spec = FederationJobSpec.builder(new JobId("t", "dev"), GLOBAL)
                .silos(Fx.names("d", 100).toArray(String[]::new)).sampling(Sampling.count(10)).minParticipants(5)
                .privacy(DifferentialPrivacy.central(1, 1)).build();
        CentralDpStrategy s = (CentralDpStrategy) Strategy.forJob(spec);
        assertEquals(0.1, s.noiseStd(), 1e-15);
    }
}
