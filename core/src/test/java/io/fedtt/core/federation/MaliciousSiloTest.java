package io.fedtt.core.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.Rejection;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.store.FileRoundStore;
import io.fedtt.core.federation.store.MemoryRoundStore;
import io.fedtt.core.federation.strategy.AggregationRule;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One of five silos is malicious. Honest silos move each trainable value by at most 0.01 (the
 * {@link Fx#pseudoUpdate} step); the attacker sends its update scaled x100, sign-flipped, or shifted by
 * +1.0 with a huge claimed example count. The "honest aggregate" is FedAvg over the four honest
 * silos alone. Stated tolerances, for every round and every trainable value:
 * <ul>
 *   <li>median and trimmed mean (trimFraction 0.2, so one value dropped at each end of five): the
 *       result lies within the honest silos' own spread of that coordinate (max minus min of the
 *       honest values), here at most 0.02 = twice the honest step;</li>
 *   <li>FedAvg with clipNorm c (c at least every honest update's distance): the global moves at most
 *       c from the round's start, so it is within c + |honest aggregate - start| (L2) of the honest
 *       aggregate, whatever weight the attacker claims;</li>
 *   <li>plain FedAvg with maxExamplesPerUpdate: the huge claim is refused (INVALID, naming
 *       {@code fedtt.examples}); without any of these settings the attacker owns the aggregate, which
 *       the last test shows so the tolerances above mean something.</li>
 * </ul>
 * Frozen tensors (a FedTT+ mask keeps head.w frozen) never move.
 */
class MaliciousSiloTest {

    private static final List<String> SILOS = List.of("silo-0", "silo-1", "silo-2", "silo-3", "silo-4");
    private static final String EVIL = "silo-4";
    private static final List<String> TRAINABLE = Fx.HEAD_FROZEN_TRAINABLE;
    private static final int ROUNDS = 3;

    enum Attack { SCALED, SIGN_FLIPPED, HUGE_WEIGHT }


    private static FederationJobSpec spec(AggregationRule rule, long maxExamples) {
        return FederationJobSpec.builder(new JobId("team-a", "robust"), Fx.smallAdapter())
                .silos(SILOS.toArray(String[]::new)).rounds(ROUNDS).roundTimeout(Duration.ofMinutes(5))
                .freezing("headFrozen", Fx.headFrozen()).aggregation(rule).maxExamplesPerUpdate(maxExamples).build();
    }

    private static CoordinatorOptions options() {
        return CoordinatorOptions.defaults().withClock(new TestClock()).withDriver(Runnable::run);
    }

    /** The attacker's upload in {@code round}, trained from {@code global}. */
    static byte[] malicious(Attack attack, AdapterState global, int round) {
        AdapterState honest = Fx.pseudoUpdate(global, TRAINABLE, EVIL, round);
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (String name : TRAINABLE) {
            float[] g = global.get(name).data();
            float[] x = honest.get(name).data().clone();
            for (int k = 0; k < x.length; k++) {
                x[k] = switch (attack) {
                    case SCALED -> g[k] + 100 * (x[k] - g[k]);
                    case SIGN_FLIPPED -> -100 * x[k];
                    case HUGE_WEIGHT -> g[k] + 1.0f;
                };
            }
            t.put(name, new Tensor(global.get(name).shape(), x));
        }
        long examples = attack == Attack.HUGE_WEIGHT ? UpdateInfo.MAX_EXAMPLES : Fx.examples(EVIL);
        Map<String, String> meta = new UpdateInfo(examples, 10, EvalMetrics.NONE).toMetadata();
        return SafetensorsCodec.encode(new AdapterState(t).withMetadata(meta), DType.F32);
    }

    /** FedAvg over the honest silos only, from {@code global}. */
    static AdapterState honestAggregate(AdapterState global, int round) {
        Map<String, Double> w = new TreeMap<>();
        SILOS.stream().filter(s -> !s.equals(EVIL)).forEach(s -> w.put(s, 1.0));
        return Fx.expectedRound(global, Set.copyOf(TRAINABLE), w, round);
    }

    /** Per coordinate, max minus min of the honest silos' values. */
    static double honestSpread(AdapterState global, int round, String name, int k) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (String s : SILOS) {
            if (!s.equals(EVIL)) {
                double v = Fx.pseudoUpdate(global, List.of(name), s, round).get(name).data()[k];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return hi - lo;
    }

    static double l2(AdapterState a, AdapterState b) {
        double s = 0;
        for (String n : TRAINABLE) {
            for (int k = 0; k < a.get(n).size(); k++) {
                double d = (double) a.get(n).data()[k] - b.get(n).data()[k];
                s += d * d;
            }
        }
        return Math.sqrt(s);
    }

    /** Runs a round with four honest silos and the attacker; returns the global the round started from. */
    private static AdapterState round(RoundCoordinator c, int r, Attack attack) {
        AdapterState g = c.global();
        for (String s : SILOS) {
            byte[] body = s.equals(EVIL) ? malicious(attack, g, r) : Fx.updateBytes(g, TRAINABLE, s, r, DType.F32);
            c.submit(s, r, body);
        }
        assertEquals(r, c.history().size(), "round " + r + " completed");
        return g;
    }

    @Test
    void medianAndTrimmedMeanStayWithinTheHonestSpread() {
        for (AggregationRule rule : List.of(AggregationRule.median(), AggregationRule.trimmedMean(0.2),
                AggregationRule.median().withClipNorm(0.05), AggregationRule.trimmedMean(0.2).withClipNorm(0.05))) {
            for (Attack attack : Attack.values()) {
                RoundCoordinator c = RoundCoordinator.open(spec(rule, UpdateInfo.MAX_EXAMPLES), new MemoryRoundStore(), options());
                for (int r = 1; r <= ROUNDS; r++) {
                    AdapterState start = round(c, r, attack);
                    AdapterState honest = honestAggregate(start, r);
                    AdapterState got = c.global();
                    for (String n : TRAINABLE) {
                        for (int k = 0; k < got.get(n).size(); k++) {
                            double gap = Math.abs((double) got.get(n).data()[k] - honest.get(n).data()[k]);
                            double spread = honestSpread(start, r, n, k);
                            assertTrue(gap <= spread + 1e-6 && gap <= 0.02 + 1e-6, rule.describe() + " " + attack
                                    + " round " + r + " " + n + "[" + k + "]: " + gap + " > spread " + spread);
                        }
                    }
                    assertEquals(Fx.smallAdapter().get("head.w"), got.get("head.w"), "frozen head.w never moves");
                }
                assertTrue(c.history().stream().allMatch(h -> h.examples() > 0), "example totals stay positive");
                c.close();
            }
        }
    }

    @Test
    void clippingBoundsTheAttackersPullWhateverItClaims() {
        double clip = 0.05; // every honest update is within 0.01 * sqrt(19 values) < 0.05 of the global
        for (Attack attack : Attack.values()) {
            RoundCoordinator c = RoundCoordinator.open(spec(AggregationRule.FEDAVG.withClipNorm(clip),
                    UpdateInfo.MAX_EXAMPLES), new MemoryRoundStore(), options());
            for (int r = 1; r <= ROUNDS; r++) {
                AdapterState start = round(c, r, attack);
                AdapterState honest = honestAggregate(start, r);
                double bound = clip + l2(honest, start);
                assertTrue(l2(c.global(), start) <= clip + 1e-6, "the global moves at most clipNorm");
                assertTrue(l2(c.global(), honest) <= bound + 1e-6, attack + " round " + r + ": "
                        + l2(c.global(), honest) + " > " + bound);
            }
            c.close();
        }
    }

    @Test
    void withACapFedAvgRefusesTheHugeClaimAndTheHonestAggregateStands() {
        RoundCoordinator c = RoundCoordinator.open(spec(AggregationRule.FEDAVG, 1000), new MemoryRoundStore(), options());
        AdapterState g = c.global();
        Rejection e = assertThrows(Rejection.class, () -> c.submit(EVIL, 1, malicious(Attack.HUGE_WEIGHT, g, 1)));
        assertEquals(Rejection.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("'fedtt.examples'") && e.getMessage().contains("at most 1000"), e.getMessage());
        c.close();
    }

    /** The report of issue 15: examples = Long.MAX_VALUE and every value +1.0, with default settings. */
    @Test
    void theIssuesUploadIsRefusedAndTotalsCannotOverflow() {
        RoundCoordinator c = RoundCoordinator.open(spec(AggregationRule.FEDAVG, UpdateInfo.MAX_EXAMPLES),
                new MemoryRoundStore(), options());
        AdapterState g = c.global();
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (String n : TRAINABLE) {
            float[] x = g.get(n).data().clone();
            for (int k = 0; k < x.length; k++) {
                x[k] += 1.0f;
            }
            t.put(n, new Tensor(g.get(n).shape(), x));
        }
        AdapterState shifted = new AdapterState(t).withMetadata(Map.of(UpdateInfo.EXAMPLES, Long.toString(Long.MAX_VALUE),
                UpdateInfo.STEPS, "10"));
        byte[] body = SafetensorsCodec.encode(shifted, DType.F32);
        Rejection e = assertThrows(Rejection.class, () -> c.submit(EVIL, 1, body));
        assertEquals(Rejection.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("'fedtt.examples'"), e.getMessage());

        // every silo claiming the most allowed: the total is exact and positive
        for (String s : SILOS) {
            AdapterState u = Fx.pseudoUpdate(g, TRAINABLE, s, 1).withMetadata(
                    new UpdateInfo(UpdateInfo.MAX_EXAMPLES, 10, EvalMetrics.NONE).toMetadata());
            c.submit(s, 1, SafetensorsCodec.encode(u, DType.F32));
        }
        assertEquals(5L * Integer.MAX_VALUE, c.history().get(0).examples());
        c.close();
    }

    /**
     * A weight so large that a claim times it is infinite would make FedAvg refuse an update it had
     * already stored (an IllegalArgumentException, not a Rejection): such a job is refused up front.
     */
    @Test
    void weightsThatCouldOverflowADoubleAreRefusedWithTheJob() {
        var b = FederationJobSpec.builder(new JobId("team-a", "heavy"), Fx.smallAdapter())
                .participants(List.of(new Participant("a", 1e300), Participant.of("b")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().contains("maxExamplesPerUpdate"), e.getMessage());
        assertEquals(1000, b.maxExamplesPerUpdate(1000).build().maxExamplesPerUpdate(), "a cap makes room for it");
    }

    /** Without clipping, a robust rule or a cap, FedAvg follows whoever claims the most examples. */
    @Test
    void plainFedAvgWithoutACapIsTakenOver() {
        RoundCoordinator c = RoundCoordinator.open(spec(AggregationRule.FEDAVG, UpdateInfo.MAX_EXAMPLES),
                new MemoryRoundStore(), options());
        AdapterState start = round(c, 1, Attack.HUGE_WEIGHT);
        AdapterState honest = honestAggregate(start, 1);
        assertTrue(Fx.maxAbsDiff(c.global(), honest) > 0.99, "the +1.0 shift dominates: " + Fx.maxAbsDiff(c.global(), honest));
        c.close();
    }

    /**
     * A restart in the middle of a round re-feeds the stored updates once each: the median after the
     * restart is bit-identical to the median of an uninterrupted run.
     */
    @Test
    void aRestartedMedianRoundGivesTheSameGlobal(@TempDir Path dir) {
        FederationJobSpec spec = spec(AggregationRule.median().withClipNorm(0.05), UpdateInfo.MAX_EXAMPLES);
        RoundCoordinator straight = RoundCoordinator.open(spec, new MemoryRoundStore(), options());
        round(straight, 1, Attack.SCALED);
        AdapterState want = straight.global();
        straight.close();

        RoundCoordinator c = RoundCoordinator.open(spec, new FileRoundStore(dir), options());
        AdapterState g = c.global();
        c.submit(EVIL, 1, malicious(Attack.SCALED, g, 1));
        c.submit("silo-0", 1, Fx.updateBytes(g, TRAINABLE, "silo-0", 1, DType.F32));
        c.close();
        RoundCoordinator resumed = RoundCoordinator.open(spec, new FileRoundStore(dir), options());
        assertEquals(List.of("silo-0", EVIL), resumed.received());
        for (String s : List.of("silo-3", "silo-1", "silo-2")) {
            resumed.submit(s, 1, Fx.updateBytes(g, TRAINABLE, s, 1, DType.F32));
        }
        assertEquals(0.0, Fx.maxAbsDiff(want, resumed.global()));
        resumed.close();
    }
}
