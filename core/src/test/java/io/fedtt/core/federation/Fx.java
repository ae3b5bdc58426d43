package io.fedtt.core.federation;

import io.fedtt.core.federation.client.ClientLoop;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Fixtures for federation tests: a small adapter, tokens, and fake training whose updates are a
 * deterministic function of (participant, round), so a test can compute the expected FedAvg on its
 * own, independently of the coordinator.
 */
public final class Fx {

    private Fx() {
    }

    /** Trainable tensors of {@link #smallAdapter()} when its head is frozen. */
    public static final List<String> HEAD_FROZEN_TRAINABLE = List.of("a.core0", "a.core1", "b.bias");

    /** A freezing policy that keeps the head frozen in every round (only the TT cores and bias train). */
    public static FreezingPolicy headFrozen() {
        return new FreezingPolicy() {
            @Override
            public TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory) {
                return TrainableMask.of(HEAD_FROZEN_TRAINABLE);
            }

            @Override
            public String name() {
                return "headFrozen";
            }
        };
    }

    /** Four tensors, 25 values, not all zero. */
    public static AdapterState smallAdapter() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("a.core0", tensor(new int[] {1, 3, 2}, 0.1f));
        t.put("a.core1", tensor(new int[] {2, 4, 1}, -0.2f));
        t.put("b.bias", tensor(new int[] {5}, 0.0f));
        t.put("head.w", tensor(new int[] {3, 2}, 0.3f));
        return new AdapterState(t, Map.of("fedtt.adapter.type", "test"));
    }

    private static Tensor tensor(int[] shape, float base) {
        int n = (int) Tensor.numel(shape);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = base + 0.01f * i;
        }
        return new Tensor(shape, d);
    }

    public static String token(String participant) {
        return "token-of-" + participant + "-0123456789abcdef";
    }

    public static Map<String, String> tokens(Collection<String> participants) {
        Map<String, String> m = new TreeMap<>();
        participants.forEach(p -> m.put(p, token(p)));
        return m;
    }

    public static List<String> names(String prefix, int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    /** The example count a participant reports: differs per participant, so weights matter. */
    public static long examples(String participant) {
        return 50 + Math.floorMod(participant.hashCode(), 97);
    }

    /** Eval metrics a participant reports in a round. */
    public static EvalMetrics eval(String participant, int round) {
        double acc = 0.5 + 0.04 * round + 0.001 * Math.floorMod(participant.hashCode(), 10);
        return new EvalMetrics(Math.min(1.0, acc), 1.0 / round, 20 + Math.floorMod(participant.hashCode(), 13));
    }

    /** The fake local step: each trainable tensor moves by a small deterministic offset. */
    public static float delta(String participant, int round, String tensor, int k) {
        return 0.01f * (float) Math.sin(participant.hashCode() * 0.37 + round * 1.3 + tensor.hashCode() * 0.11 + k);
    }

    public static AdapterState pseudoUpdate(AdapterState global, Collection<String> trainable, String participant, int round) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : trainable) {
            Tensor g = global.get(name);
            float[] d = g.data().clone();
            for (int k = 0; k < d.length; k++) {
                d[k] = d[k] + delta(participant, round, name, k);
            }
            out.put(name, new Tensor(g.shape(), d));
        }
        return new AdapterState(out);
    }

    public static UpdateInfo info(String participant, int round) {
        return new UpdateInfo(examples(participant), 10, eval(participant, round));
    }

    public static byte[] updateBytes(AdapterState global, Collection<String> trainable, String participant, int round,
                                     DType wire) {
        AdapterState u = pseudoUpdate(global, trainable, participant, round).withMetadata(info(participant, round).toMetadata());
        return SafetensorsCodec.encode(u, wire);
    }

    /** Fake training for {@link ClientLoop}. */
    public static ClientLoop.Trainer trainer(String participant) {
        return (task, global) -> new ClientLoop.LocalResult(
                pseudoUpdate(global, task.trainable(), participant, task.round()), examples(participant), 10,
                eval(participant, task.round()));
    }

    /**
     * The expected global after a round, computed here independently: each trainable tensor is the
     * mean of the participants' pseudo-updates weighted by examples x participant weight.
     */
    public static AdapterState expectedRound(AdapterState global, Set<String> trainable, Map<String, Double> weights,
                                             int round) {
        Map<String, Tensor> out = new LinkedHashMap<>(global.tensors());
        for (String name : trainable) {
            Tensor g = global.get(name);
            double[] sum = new double[g.size()];
            double total = 0;
            for (Map.Entry<String, Double> p : weights.entrySet()) {
                double w = examples(p.getKey()) * p.getValue();
                total += w;
                for (int k = 0; k < sum.length; k++) {
                    float u = g.data()[k] + delta(p.getKey(), round, name, k);
                    sum[k] += w * u;
                }
            }
            float[] mean = new float[sum.length];
            for (int k = 0; k < mean.length; k++) {
                mean[k] = (float) (sum[k] / total);
            }
            out.put(name, new Tensor(g.shape(), mean));
        }
        return new AdapterState(out);
    }

    public static double maxAbsDiff(AdapterState a, AdapterState b) {
        if (!a.names().equals(b.names())) {
            throw new AssertionError("tensor names differ: " + a.names() + " vs " + b.names());
        }
        double m = 0;
        for (String n : a.names()) {
            float[] x = a.get(n).data();
            float[] y = b.get(n).data();
            for (int i = 0; i < x.length; i++) {
                m = Math.max(m, Math.abs((double) x[i] - y[i]));
            }
        }
        return m;
    }
}
