package io.fedtt.core.freeze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.adapter.TensorSpec;
import io.fedtt.core.adapter.TtLayerSpec;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.core.tt.SeededRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FreezingPoliciesTest {

    private static final AdapterLayout MINILM = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt().withHead(AdapterConfig.Head.TT));
    private static final AdapterLayout LORETTA_INIT =
            AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt().withHead(AdapterConfig.Head.TT).withInit(AdapterConfig.Init.LORETTA));

    @Test
    void noneTrainsEverything() {
        FreezingPolicy p = FreezingPolicies.create("none", null, MINILM, 1);
        for (int r = 1; r <= 5; r++) {
            assertEquals(MINILM.tensors().size(), p.maskFor(r, List.of()).size());
        }
        assertEquals("none", p.name());
    }

    @Test
    void nonCoreTensorsAlwaysTrain() {
        for (String name : FreezingPolicies.NAMES) {
            FreezingPolicy p = FreezingPolicies.create(name, FreezingConfig.defaults(), MINILM, 3);
            List<Map<String, Double>> hist = new ArrayList<>();
            for (int r = 1; r <= 12; r++) {
                TrainableMask m = p.maskFor(r, hist);
                for (TensorSpec t : MINILM.tensors()) {
                    if (!t.isTtCore()) {
                        assertTrue(m.isTrainable(t.name()), name + " round " + r + " froze " + t.name());
                    }
                }
                hist.add(simulatedEnergy(m, r));
            }
        }
    }

    @Test
    void fixedDefaultIsTheLargestCoreOrTheZeroCore() {
        FreezingPolicy p = FreezingPolicies.create("fixed", null, LORETTA_INIT, 0);
        MaskSummary s = MaskSummary.of(LORETTA_INIT, p.maskFor(1, List.of()));
        // LoRETTA init: no zero core; 384x64 -> [6,8,8,8,8] has three 200-parameter cores: the first wins
        assertEquals(List.of(1), s.coresByLayer().get("encoder.layer.0.output.adapter.down"));
        assertEquals(List.of(1), s.coresByLayer().get("encoder.layer.0.output.adapter.up"));
        assertEquals(List.of(1), s.coresByLayer().get("classifier.dense"));

        FreezingPolicy q = FreezingPolicies.create("fixed", null, MINILM, 0);
        MaskSummary t = MaskSummary.of(MINILM, q.maskFor(1, List.of()));
        assertEquals(List.of(1), t.coresByLayer().get("encoder.layer.0.output.adapter.down"));
        assertEquals(List.of(4), t.coresByLayer().get("encoder.layer.0.output.adapter.up"));
        // and it stays so
        assertEquals(q.maskFor(1, List.of()), q.maskFor(9, energies(8, q)));
    }

    @Test
    void fixedWithNamedCoresAndNegativeIndices() {
        FreezingPolicy p = FreezingPolicies.create("fixed", FreezingConfig.defaults().withCores(List.of(0, -1)), LORETTA_INIT, 0);
        MaskSummary s = MaskSummary.of(LORETTA_INIT, p.maskFor(3, List.of()));
        assertEquals(List.of(0, 4), s.coresByLayer().get("encoder.layer.2.attention.output.adapter.down"));
        assertEquals(List.of(0, 5), s.coresByLayer().get("classifier.dense"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FreezingPolicies.create("fixed", FreezingConfig.defaults().withCores(List.of(7)), MINILM, 0));
        assertTrue(e.getMessage().contains("core 7") && e.getMessage().contains("encoder.layer.0"), e.getMessage());
    }

    @Test
    void roundRobinRotatesOneCorePerLayer() {
        FreezingPolicy p = FreezingPolicies.create("roundRobin", null, LORETTA_INIT, 0);
        List<Map<String, Double>> hist = new ArrayList<>();
        for (int r = 1; r <= 11; r++) {
            TrainableMask m = p.maskFor(r, hist);
            MaskSummary s = MaskSummary.of(LORETTA_INIT, m);
            assertEquals(List.of((r - 1) % 5), s.coresByLayer().get("encoder.layer.1.output.adapter.down"), "round " + r);
            assertEquals(List.of((r - 1) % 6), s.coresByLayer().get("classifier.dense"), "round " + r);
            for (List<Integer> cores : s.coresByLayer().values()) {
                assertEquals(1, cores.size());
            }
            hist.add(simulatedEnergy(m, r));
        }
    }

    @Test
    void roundRobinWithTwoCoresPerLayerCoversEveryCore() {
        FreezingPolicy p = FreezingPolicies.create("roundRobin", FreezingConfig.defaults().withCoresPerLayer(2), LORETTA_INIT, 0);
        MaskSummary r1 = MaskSummary.of(LORETTA_INIT, p.maskFor(1, List.of()));
        MaskSummary r2 = MaskSummary.of(LORETTA_INIT, p.maskFor(2, List.of()));
        MaskSummary r3 = MaskSummary.of(LORETTA_INIT, p.maskFor(3, List.of()));
        assertEquals(List.of(0, 1), r1.coresByLayer().get("encoder.layer.0.output.adapter.down"));
        assertEquals(List.of(2, 3), r2.coresByLayer().get("encoder.layer.0.output.adapter.down"));
        assertEquals(List.of(0, 4), r3.coresByLayer().get("encoder.layer.0.output.adapter.down"));
    }

    @Test
    void roundRobinStartsUpLayersAtTheirZeroCore() {
        FreezingPolicy p = FreezingPolicies.create("roundRobin", null, MINILM, 0);
        List<Map<String, Double>> hist = new ArrayList<>();
        int[] expectUp = {4, 0, 1, 2, 3, 4, 0};
        for (int r = 1; r <= expectUp.length; r++) {
            TrainableMask m = p.maskFor(r, hist);
            MaskSummary s = MaskSummary.of(MINILM, m);
            assertEquals(List.of(expectUp[r - 1]), s.coresByLayer().get("encoder.layer.3.attention.output.adapter.up"), "round " + r);
            assertEquals(List.of((r - 1) % 5), s.coresByLayer().get("encoder.layer.3.attention.output.adapter.down"), "round " + r);
            hist.add(simulatedEnergy(m, r));
        }
    }

    @Test
    void everyPolicyKeepsAZeroCoreTrainableUntilItHasBeenUpdated() {
        FreezingConfig[] configs = {
            FreezingConfig.defaults(),
            FreezingConfig.defaults().withCores(List.of(2)),
            FreezingConfig.defaults().withWarmupRounds(0),
        };
        for (String name : List.of("fixed", "roundRobin", "adaptive")) {
            for (FreezingConfig cfg : configs) {
                FreezingPolicy p = FreezingPolicies.create(name, cfg, MINILM, 5);
                // rounds keep failing to move the zero cores (e.g. a silo that never trains):
                // they must stay trainable, whatever the policy would otherwise pick
                List<Map<String, Double>> hist = new ArrayList<>();
                for (int r = 1; r <= 8; r++) {
                    TrainableMask m = p.maskFor(r, hist);
                    for (String zero : MINILM.zeroInitializedCores()) {
                        assertTrue(m.isTrainable(zero), name + " " + cfg + " round " + r + " froze untrained " + zero);
                    }
                    Map<String, Double> e = simulatedEnergy(m, r);
                    MINILM.zeroInitializedCores().forEach(z -> e.put(z, 0.0));
                    hist.add(e);
                }
            }
        }
    }

    @Test
    void fixedWithExplicitCoresReleasesTheZeroCoreOnceTrained() {
        FreezingPolicy p = FreezingPolicies.create("fixed", FreezingConfig.defaults().withCores(List.of(2)), MINILM, 0);
        String up = "encoder.layer.0.output.adapter.up";
        TrainableMask m1 = p.maskFor(1, List.of());
        assertEquals(List.of(4), MaskSummary.of(MINILM, m1).coresByLayer().get(up));
        TrainableMask m2 = p.maskFor(2, List.of(simulatedEnergy(m1, 1)));
        assertEquals(List.of(2), MaskSummary.of(MINILM, m2).coresByLayer().get(up));
    }

    @Test
    void adaptiveWarmsUpThenKeepsTheMostEnergeticCores() {
        FreezingConfig cfg = FreezingConfig.defaults().withWarmupRounds(2).withWindow(2).withReevaluateEvery(3);
        FreezingPolicy p = FreezingPolicies.create("adaptive", cfg, LORETTA_INIT, 0);
        String layer = "encoder.layer.0.output.adapter.down";
        TtLayerSpec l = LORETTA_INIT.ttLayer(layer);
        List<Map<String, Double>> hist = new ArrayList<>();
        for (int r = 1; r <= 2; r++) {
            TrainableMask m = p.maskFor(r, hist);
            assertEquals(LORETTA_INIT.tensors().size(), m.size(), "warm-up round " + r);
            // core 3 moves most in this layer; elsewhere core 0
            Map<String, Double> e = new HashMap<>();
            for (TtLayerSpec any : LORETTA_INIT.ttLayers()) {
                for (int k = 0; k < any.cores(); k++) {
                    e.put(any.coreName(k), any.name().equals(layer) ? (k == 3 ? 5.0 : 1.0) : (k == 0 ? 2.0 : 1.0));
                }
            }
            hist.add(e);
        }
        TrainableMask m3 = p.maskFor(3, hist);
        MaskSummary s3 = MaskSummary.of(LORETTA_INIT, m3);
        assertEquals(List.of(3), s3.coresByLayer().get(layer));
        assertEquals(List.of(0), s3.coresByLayer().get("classifier.dense"));
        // rounds 3..5 keep the selection even if energies shift
        Map<String, Double> fading = new HashMap<>();
        fading.put(l.coreName(3), 0.1);
        hist.add(fading);
        assertEquals(m3, p.maskFor(4, hist));
        hist.add(fading);
        assertEquals(m3, p.maskFor(5, hist));
        hist.add(fading);
        // round 6 re-evaluates: core 3's last two trained rounds averaged 0.1, core 1's last (warm-up) 1.0
        MaskSummary s6 = MaskSummary.of(LORETTA_INIT, p.maskFor(6, hist));
        assertEquals(List.of(1), s6.coresByLayer().get(layer));
    }

    @Test
    void adaptiveNeedsTheEnergyOfEarlierRounds() {
        FreezingPolicy p = FreezingPolicies.create("adaptive", FreezingConfig.defaults(), MINILM, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.maskFor(4, List.of(Map.of())));
        assertTrue(e.getMessage().contains("rounds 1..2"), e.getMessage());
    }

    @Test
    void adaptiveBudgetIsRespected() {
        for (int c = 1; c <= 3; c++) {
            FreezingPolicy p = FreezingPolicies.create("adaptive", FreezingConfig.defaults().withCoresPerLayer(c), MINILM, 0);
            List<Map<String, Double>> hist = new ArrayList<>();
            for (int r = 1; r <= 15; r++) {
                TrainableMask m = p.maskFor(r, hist);
                if (r > 2) {
                    for (List<Integer> cores : MaskSummary.of(MINILM, m).coresByLayer().values()) {
                        assertEquals(c, cores.size(), "c=" + c + " round " + r);
                    }
                }
                hist.add(simulatedEnergy(m, r));
            }
        }
    }

    @Test
    void masksArePlainDataEqualAcrossConstructions() {
        for (String name : FreezingPolicies.NAMES) {
            for (boolean staggered : new boolean[] {false, true}) {
                FreezingConfig cfg = FreezingConfig.defaults().withStaggered(staggered);
                FreezingPolicy a = FreezingPolicies.create(name, cfg, MINILM, 42);
                FreezingPolicy b = FreezingPolicies.create(name, cfg,
                        AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.tt().withHead(AdapterConfig.Head.TT)), 42);
                List<Map<String, Double>> hist = new ArrayList<>();
                for (int r = 1; r <= 12; r++) {
                    TrainableMask ma = a.maskFor(r, hist);
                    TrainableMask mb = b.maskFor(r, List.copyOf(hist));
                    assertEquals(ma, mb, name + " round " + r);
                    assertEquals(ma, a.maskFor(r, hist), "a policy is a pure function");
                    // history beyond the round must not matter
                    List<Map<String, Double>> longer = new ArrayList<>(hist);
                    longer.add(Map.of("classifier.dense.cores.0", 99.0));
                    assertEquals(ma, a.maskFor(r, longer), name + " round " + r + " looked at the future");
                    hist.add(simulatedEnergy(ma, r));
                }
            }
        }
    }

    @Test
    void staggeredRoundRobinDependsOnTheSeed() {
        FreezingConfig cfg = FreezingConfig.defaults().withStaggered(true);
        TrainableMask a = FreezingPolicies.create("roundRobin", cfg, LORETTA_INIT, 1).maskFor(1, List.of());
        TrainableMask b = FreezingPolicies.create("roundRobin", cfg, LORETTA_INIT, 2).maskFor(1, List.of());
        assertNotEquals(a, b);
        assertEquals(a, FreezingPolicies.create("roundRobin", cfg, LORETTA_INIT, 1).maskFor(1, List.of()));
    }

    @Test
    void factoryErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FreezingPolicies.create("sometimes", null, MINILM, 0));
        assertTrue(e.getMessage().contains("sometimes") && e.getMessage().contains("roundRobin"), e.getMessage());
        AdapterLayout lora = AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), AdapterConfig.lora(8, List.of("query", "value")));
        e = assertThrows(IllegalArgumentException.class, () -> FreezingPolicies.create("fixed", null, lora, 0));
        assertTrue(e.getMessage().contains("no TT layers"), e.getMessage());
        assertEquals(lora.tensors().size(), FreezingPolicies.create("none", null, lora, 0).maskFor(1, List.of()).size());
        assertEquals("roundRobin", FreezingPolicies.create("ROUNDROBIN", null, MINILM, 0).name());
        assertThrows(IllegalArgumentException.class, () -> FreezingPolicies.create("none", null, MINILM, 0).maskFor(0, List.of()));
    }

    @Test
    void maskSummaryCountsWhatTravels() {
        FreezingPolicy p = FreezingPolicies.create("roundRobin", null, LORETTA_INIT, 0);
        MaskSummary s = MaskSummary.of(LORETTA_INIT, p.maskFor(1, List.of()));
        // round 1: core 0 of every layer: 24 x 30 ([1,6,5] for down) ... computed from the layout
        long expected = 0;
        for (TensorSpec t : LORETTA_INIT.tensors()) {
            if (!t.isTtCore() || t.coreIndex() == 0) {
                expected += t.numel();
            }
        }
        assertEquals(expected, s.trainableParameters());
        assertEquals(33_454L, s.totalParameters());
        assertTrue(s.trainableFraction() < 0.6);
        assertEquals("cores [0]: 25 layers", s.describe());
    }

    @Test
    void updateEnergyIsMeanSquaredChange() {
        AdapterState before = AdapterInitializer.initialize(MINILM, 7);
        String core = "encoder.layer.0.output.adapter.up.cores.4";
        Tensor t = before.get(core);
        float[] d = t.data().clone();
        d[0] += 2;
        d[1] -= 1;
        AdapterState after = before.with(Map.of(core, new Tensor(t.shape(), d)));
        Map<String, Double> e = FreezingPolicy.updateEnergy(before, after);
        assertEquals(5.0 / t.size(), e.get(core), 1e-12);
        assertEquals(0.0, e.get("classifier.dense.cores.0"));
        assertEquals(before.names(), e.keySet());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> FreezingPolicy.updateEnergy(before.select(n -> !n.equals(core)), after));
        assertTrue(ex.getMessage().contains(core), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class,
                () -> FreezingPolicy.updateEnergy(before, after.with(Map.of(core, Tensor.zeros(2)))));
        assertTrue(ex.getMessage().contains("changed shape"), ex.getMessage());
        // a partial update (only the trainable tensors) is fine
        assertEquals(1, FreezingPolicy.updateEnergy(before, after.select(core::equals)).size());
        assertFalse(e.containsKey("nonexistent"));
    }

    /** Energies as an aggregate would show them: positive, varied, zero for frozen tensors. */
    private static Map<String, Double> simulatedEnergy(TrainableMask m, int round) {
        Map<String, Double> e = new HashMap<>();
        for (TensorSpec t : MINILM.tensors()) {
            double v = m.isTrainable(t.name())
                    ? 1e-6 * (1 + SeededRandom.forTensor(round, t.name()).nextDouble()) : 0.0;
            e.put(t.name(), v);
        }
        return e;
    }

    private static List<Map<String, Double>> energies(int rounds, FreezingPolicy p) {
        List<Map<String, Double>> hist = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            hist.add(simulatedEnergy(p.maskFor(r, hist), r));
        }
        return hist;
    }
}
