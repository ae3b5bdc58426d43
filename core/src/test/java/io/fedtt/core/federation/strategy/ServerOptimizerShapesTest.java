package io.fedtt.core.federation.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.federation.strategy.ServerOptimizer.Kind;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server optimizers on adapter-shaped states: a TT layer's three cores (rank-3 tensors
 * [r_{i-1}, k_i, r_i]) with its bias, and a LoRA pair (A [r, in], B [out, r], B starting at zero) with a
 * dense head. Each step is checked against an independent reference in double precision written from
 * the formulas of Reddi et al. (weighted mean of two clients, then the server step), and the first
 * step of one element against a value worked out by hand. With a FedTT+ mask a frozen core takes no
 * step and its moments stay bit for bit over several rounds, then resume where they were.
 */
class ServerOptimizerShapesTest {

    private static final double TOL = 2e-6;
    private static final double ETA_ADAPTIVE = 0.1;
    private static final double B1 = 0.5;
    private static final double B2 = 0.75;
    private static final double TAU = 0.5;

    private static ServerOptimizer optimizer(Kind kind) {
        return new ServerOptimizer(kind, kind.adaptive() ? ETA_ADAPTIVE : 1.0, B1, B2, TAU);
    }

    /** A TT layer: cores [1,2,2], [2,2,2], [2,2,1] (a 2x2x2 = 8-value weight, rank 2) and its bias. */
    static AdapterState tt() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("l0.down.core0", tensor(new int[] {1, 2, 2}, 0.5f));
        t.put("l0.down.core1", tensor(new int[] {2, 2, 2}, -0.25f));
        t.put("l0.down.core2", tensor(new int[] {2, 2, 1}, 0.125f));
        t.put("l0.down.bias", tensor(new int[] {4}, 0f));
        return new AdapterState(t);
    }

    /** A LoRA pair on a 4x4 projection, rank 2, B at zero as initialized, and a 2-label dense head. */
    static AdapterState lora() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("l0.query.lora_A", tensor(new int[] {2, 4}, 0.3f));
        t.put("l0.query.lora_B", new Tensor(new int[] {4, 2}, new float[8]));
        t.put("head.weight", tensor(new int[] {2, 4}, -0.1f));
        return new AdapterState(t);
    }

    private static Tensor tensor(int[] shape, float base) {
        float[] d = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = base + 0.05f * i * (i % 2 == 0 ? 1 : -1);
        }
        return new Tensor(shape, d);
    }

    /**
     * Client a (weight 3) moves element k of a tensor by +0.4 s, client b (weight 1) by -0.4 s, so the
     * weighted mean moves it by 0.2 s; s = 1 for element 0 in round 1 (the hand-worked value).
     */
    private static double offset(String client, String name, int k, int round) {
        double s = k == 0 && round == 1 ? 1 : Math.sin(1.7 * k + 0.9 * round + name.length());
        return ("a".equals(client) ? 0.4 : -0.4) * s;
    }

    private static final Map<String, Double> WEIGHTS = Map.of("a", 3.0, "b", 1.0);

    private static AdapterState clientUpdate(AdapterState global, TrainableMask mask, String client, int round) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : mask.trainable()) {
            float[] d = global.get(name).data().clone();
            for (int k = 0; k < d.length; k++) {
                d[k] = (float) (d[k] + offset(client, name, k, round));
            }
            out.put(name, new Tensor(global.get(name).shape(), d));
        }
        return new AdapterState(out);
    }

    /** One round through the real strategy: both clients' updates, then the aggregate and server step. */
    private static AggregateResult round(ServerOptimizer o, AdapterState global, TrainableMask mask, byte[] state,
            int round) {
        Strategy.Aggregation a = new OptimizedStrategy(new FedAvg(null), o).startAggregation(global, mask, state);
        for (String c : List.of("a", "b")) {
            a.add(c, clientUpdate(global, mask, c, round), WEIGHTS.get(c));
        }
        return a.result();
    }

    /** The formulas, in double, kept apart from ServerSteps. */
    static final class Reference {
        final ServerOptimizer o;
        final Map<String, double[]> x = new LinkedHashMap<>();
        final Map<String, double[]> m = new HashMap<>();
        final Map<String, double[]> v = new HashMap<>();

        Reference(ServerOptimizer o, AdapterState start) {
            this.o = o;
            start.tensors().forEach((n, t) -> {
                double[] d = new double[t.size()];
                for (int i = 0; i < d.length; i++) {
                    d[i] = t.data()[i];
                }
                x.put(n, d);
            });
        }

        void round(Set<String> trainable, int round) {
            for (String name : trainable) {
                double[] xs = x.get(name);
                double[] ms = m.computeIfAbsent(name, k -> new double[xs.length]);
                double[] vs = v.computeIfAbsent(name, k -> new double[xs.length]);
                for (int k = 0; k < xs.length; k++) {
                    double mean = (WEIGHTS.get("a") * offset("a", name, k, round)
                            + WEIGHTS.get("b") * offset("b", name, k, round)) / (WEIGHTS.get("a") + WEIGHTS.get("b"));
                    double d = mean; // pseudo-gradient: aggregate - global
                    switch (o.kind()) {
                        case FEDAVG -> xs[k] += d;
                        case FEDAVGM -> {
                            ms[k] = o.beta1() * ms[k] + d;
                            xs[k] += o.learningRate() * ms[k];
                        }
                        case FEDADAM -> {
                            ms[k] = o.beta1() * ms[k] + (1 - o.beta1()) * d;
                            vs[k] = o.beta2() * vs[k] + (1 - o.beta2()) * d * d;
                            xs[k] += o.learningRate() * ms[k] / (Math.sqrt(vs[k]) + o.tau());
                        }
                        case FEDYOGI -> {
                            ms[k] = o.beta1() * ms[k] + (1 - o.beta1()) * d;
                            vs[k] = vs[k] - (1 - o.beta2()) * d * d * Math.signum(vs[k] - d * d);
                            xs[k] += o.learningRate() * ms[k] / (Math.sqrt(vs[k]) + o.tau());
                        }
                        default -> throw new IllegalStateException();
                    }
                }
            }
        }

        void assertMatches(AdapterState actual, String what) {
            x.forEach((name, expected) -> {
                float[] got = actual.get(name).data();
                assertEquals(expected.length, got.length, name);
                for (int k = 0; k < got.length; k++) {
                    assertEquals(expected[k], got[k], TOL, what + ": " + name + "[" + k + "]");
                }
            });
        }

        void assertMoments(byte[] state, String what) {
            ServerMoments s = ServerMoments.decode(state, o.kind());
            m.forEach((name, expected) -> {
                float[] got = s.first(name, expected.length);
                for (int k = 0; k < got.length; k++) {
                    assertEquals(expected[k], got[k], TOL, what + ": m of " + name + "[" + k + "]");
                }
            });
            if (o.kind().adaptive()) {
                v.forEach((name, expected) -> {
                    float[] got = s.second(name, expected.length);
                    for (int k = 0; k < got.length; k++) {
                        assertEquals(expected[k], got[k], TOL, what + ": v of " + name + "[" + k + "]");
                    }
                });
            }
        }
    }

    /** The first step of element 0 (weighted mean delta 0.2), worked out by hand. */
    private static double handFirstStep(Kind kind) {
        return switch (kind) {
            case FEDAVG -> 0.2;
            case FEDAVGM -> 0.2; // m = 0.2, eta 1
            // m = 0.5 x 0.2 = 0.1; v = 0.25 x 0.04 = 0.01 (Yogi from v = 0: the same); 0.1 x 0.1 / (0.1 + 0.5)
            case FEDADAM, FEDYOGI -> 0.1 * 0.1 / (0.1 + 0.5);
        };
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void ttCoresStepAsTheFormulasSay(Kind kind) {
        checkThreeRounds(kind, tt(), "l0.down.core0");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void loraFactorsAndTheHeadStepAsTheFormulasSay(Kind kind) {
        checkThreeRounds(kind, lora(), "l0.query.lora_B");
    }

    private static void checkThreeRounds(Kind kind, AdapterState start, String handChecked) {
        ServerOptimizer o = optimizer(kind);
        TrainableMask all = TrainableMask.of(List.copyOf(start.names()));
        Reference ref = new Reference(o, start);
        AdapterState g = start;
        byte[] state = null;
        for (int r = 1; r <= 3; r++) {
            AggregateResult res = round(o, g, all, state, r);
            ref.round(start.names(), r);
            ref.assertMatches(res.next(), kind + " round " + r);
            for (String n : start.names()) {
                assertArrayEquals(start.get(n).shape(), res.next().get(n).shape(), n + " keeps its shape");
            }
            if (r == 1) {
                assertEquals(start.get(handChecked).data()[0] + handFirstStep(kind), res.next().get(handChecked).data()[0],
                        1e-6, "hand-worked first step of " + handChecked + "[0]");
            }
            if (kind != Kind.FEDAVG) {
                ref.assertMoments(res.serverState(), kind + " round " + r);
            }
            g = res.next();
            state = res.serverState();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"FEDAVGM", "FEDADAM", "FEDYOGI"})
    void aFrozenCoreTakesNoStepAndItsMomentsStayThenResume(Kind kind) {
        ServerOptimizer o = optimizer(kind);
        AdapterState start = tt();
        String frozen = "l0.down.core1";
        TrainableMask all = TrainableMask.of(List.copyOf(start.names()));
        TrainableMask fedTtPlus = TrainableMask.of(start.names().stream().filter(n -> !n.equals(frozen)).toList());
        Reference ref = new Reference(o, start);

        AggregateResult r1 = round(o, start, all, null, 1);
        ref.round(start.names(), 1);
        float[] value = r1.next().get(frozen).data().clone();
        ServerMoments after1 = ServerMoments.decode(r1.serverState(), kind);
        float[] m = after1.first(frozen, value.length).clone();
        float[] v = kind.adaptive() ? after1.second(frozen, value.length).clone() : null;
        float[] otherM = after1.first("l0.down.core0", 4).clone();

        AdapterState g = r1.next();
        byte[] state = r1.serverState();
        for (int r = 2; r <= 4; r++) {
            AggregateResult res = round(o, g, fedTtPlus, state, r);
            ref.round(fedTtPlus.trainable().stream().collect(java.util.stream.Collectors.toSet()), r);
            ref.assertMatches(res.next(), kind + " round " + r);
            assertArrayEquals(value, res.next().get(frozen).data(), "frozen core's value, round " + r);
            assertEquals(0.0, res.energy().getOrDefault(frozen, 0.0), "frozen core's energy, round " + r);
            ServerMoments s = ServerMoments.decode(res.serverState(), kind);
            assertArrayEquals(m, s.first(frozen, value.length), "frozen core's m, round " + r);
            if (v != null) {
                assertArrayEquals(v, s.second(frozen, value.length), "frozen core's v, round " + r);
            }
            assertFalse(java.util.Arrays.equals(otherM, s.first("l0.down.core0", 4)), "a trainable core's m moves");
            g = res.next();
            state = res.serverState();
        }
        // Unfrozen again: the step uses the moments it had after round 1 (the reference skipped it too).
        AggregateResult r5 = round(o, g, all, state, 5);
        ref.round(start.names(), 5);
        ref.assertMatches(r5.next(), kind + " round 5");
        ref.assertMoments(r5.serverState(), kind + " round 5");
        assertFalse(java.util.Arrays.equals(value, r5.next().get(frozen).data()));
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"FEDAVGM", "FEDADAM", "FEDYOGI"})
    void theMomentsSurviveTheirEncodingExactly(Kind kind) {
        ServerOptimizer o = optimizer(kind);
        AdapterState start = lora();
        TrainableMask all = TrainableMask.of(List.copyOf(start.names()));
        AggregateResult r1 = round(o, start, all, null, 1);
        byte[] again = ServerMoments.decode(r1.serverState(), kind).encode(kind);
        assertArrayEquals(r1.serverState(), again, "decode then encode gives the same bytes");
        // Another kind's state is not misread as this kind's moments.
        Kind other = kind == Kind.FEDADAM ? Kind.FEDYOGI : Kind.FEDADAM;
        assertFalse(ServerMoments.decode(r1.serverState(), other).has("head.weight"));
        assertTrue(ServerMoments.decode(r1.serverState(), kind).has("head.weight"));
    }
}
