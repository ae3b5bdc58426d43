package io.fedtt.core.freeze;

import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.TtLayerSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The project's own FedTT+ rule (the paper's exact rule is unknown to us). Rounds 1..W train every
 * core. At rounds W+1, W+1+E, W+1+2E, ... each TT layer keeps the c cores with the highest score and
 * freezes the rest until the next re-evaluation. A core's score is its mean update energy per
 * parameter over the last {@code window} rounds in which it was trainable, so a frozen core keeps
 * the score it had when it last trained and can win its place back when the trained cores' updates
 * fade. A core never measured scores highest (it gets explored). Ties: larger core, then lower index.
 */
final class AdaptiveCores implements FreezingPolicy {

    private final AdapterLayout layout;
    private final int perLayer;
    private final int warmup;
    private final int window;
    private final int every;

    AdaptiveCores(AdapterLayout layout, FreezingConfig cfg) {
        CoreMasks.requireTtLayers(FreezingPolicies.ADAPTIVE, layout);
        this.layout = layout;
        this.perLayer = cfg.coresPerLayer();
        this.warmup = cfg.warmupRounds();
        this.window = cfg.window();
        this.every = cfg.reevaluateEvery();
    }

    @Override
    public TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory) {
        CoreMasks.checkRound(round);
        if (round <= warmup) {
            return TrainableMask.of(layout.names());
        }
        int evaluation = evaluationRound(round);
        int have = energyHistory == null ? 0 : energyHistory.size();
        if (have < evaluation - 1) {
            throw new IllegalArgumentException("adaptive freezing for round " + round + " re-evaluates at round "
                    + evaluation + " and needs the update energy of rounds 1.." + (evaluation - 1) + "; got " + have
                    + " round(s)");
        }
        return CoreMasks.mask(layout, selections(evaluation, energyHistory).get(evaluation));
    }

    @Override
    public String name() {
        return FreezingPolicies.ADAPTIVE;
    }

    /** The evaluation round whose selection applies to {@code round} (> warm-up). */
    private int evaluationRound(int round) {
        return warmup + 1 + ((round - warmup - 1) / every) * every;
    }

    /** Selections of every evaluation round up to {@code last}, each computed only from earlier rounds. */
    private Map<Integer, Map<String, List<Integer>>> selections(int last, List<Map<String, Double>> history) {
        Map<Integer, Map<String, List<Integer>>> byEvaluation = new HashMap<>();
        for (int e = warmup + 1; e <= last; e += every) {
            Set<String> trained = CoreMasks.trainedBefore(e, history);
            Map<String, List<Integer>> chosen = new LinkedHashMap<>();
            for (TtLayerSpec l : layout.ttLayers()) {
                double[] score = new double[l.cores()];
                for (int k = 0; k < l.cores(); k++) {
                    score[k] = score(l, k, e, history, byEvaluation);
                }
                List<Integer> order = new ArrayList<>();
                for (int k = 0; k < l.cores(); k++) {
                    order.add(k);
                }
                order.sort(Comparator.<Integer>comparingDouble(k -> -score[k])
                        .thenComparingLong(k -> -l.shape().coreParameterCount(k))
                        .thenComparingInt(k -> k));
                List<Integer> picks = new ArrayList<>(order.subList(0, Math.min(perLayer, l.cores())));
                chosen.put(l.name(), CoreMasks.guardZeroCore(l, picks, trained));
            }
            byEvaluation.put(e, chosen);
        }
        return byEvaluation;
    }

    private double score(TtLayerSpec l, int core, int evaluation, List<Map<String, Double>> history,
                         Map<Integer, Map<String, List<Integer>>> earlier) {
        String name = l.coreName(core);
        double sum = 0;
        int n = 0;
        for (int j = evaluation - 1; j >= 1 && n < window; j--) {
            if (trainableIn(j, l, core, earlier)) {
                Double v = history.get(j - 1).get(name);
                sum += v == null ? 0.0 : v;
                n++;
            }
        }
        return n == 0 ? Double.POSITIVE_INFINITY : sum / n;
    }

    private boolean trainableIn(int round, TtLayerSpec l, int core, Map<Integer, Map<String, List<Integer>>> earlier) {
        if (round <= warmup) {
            return true;
        }
        return earlier.get(evaluationRound(round)).get(l.name()).contains(core);
    }
}
