package io.fedtt.core.federation.strategy;

import io.fedtt.core.aggregate.StreamingFedAvg;
import io.fedtt.core.freeze.FreezingPolicy;
import io.fedtt.core.freeze.TrainableMask;
import io.fedtt.core.tensor.AdapterState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * FedAvg's plan (sampling, FedTT+ mask, task) with a robust {@link AggregationRule}: norm clipping
 * in front of the weighted mean, or the coordinate-wise median or trimmed mean (each optionally after
 * clipping). Only the round's trainable tensors are aggregated; frozen ones keep the global's values.
 *
 * <p>Memory: clipped FedAvg streams (one double per trainable value, as {@link FedAvg}); the median
 * and the trimmed mean keep every accepted update of the round, one float per trainable value each,
 * so a round holds {@code updates x trainable values x 4} bytes until it closes (5 silos with the
 * 99,194 values of RoBERTa-base's TT adapter: about 2 MB; 100 devices of a 1M-value adapter: 400 MB).
 * After a restart the coordinator re-feeds the stored updates, once each, so nothing else is saved.
 * Median and trimmed mean count each update once, whatever examples it claims, and their result does
 * not depend on the order updates arrive in.
 */
public final class RobustStrategy implements Strategy {

    private final FedAvg planner;
    private final AggregationRule rule;

    /** @param freezing decides each round's trainable tensors; null = everything trains */
    public RobustStrategy(FreezingPolicy freezing, AggregationRule rule) {
        this.planner = new FedAvg(freezing);
        this.rule = Objects.requireNonNull(rule, "rule");
    }

    public AggregationRule rule() {
        return rule;
    }

    @Override
    public String name() {
        return rule.describe();
    }

    @Override
    public RoundPlan configureRound(RoundContext context) {
        return planner.configureRound(context);
    }

    @Override
    public Aggregation startAggregation(AdapterState global, TrainableMask mask, byte[] serverState) {
        if (rule.isPlainFedAvg()) {
            return planner.startAggregation(global, mask, serverState);
        }
        float[] g = RobustRules.flattenGlobal(global, mask);
        return rule.kind() == AggregationRule.Kind.FEDAVG
                ? new ClippedMean(global, mask, g, rule.clipNorm())
                : new CoordinateWise(global, mask, g, rule);
    }

    /** Clipping in front of the streaming weighted mean. */
    private static final class ClippedMean implements Aggregation {
        private final AdapterState global;
        private final TrainableMask mask;
        private final float[] g;
        private final double clipNorm;
        private final StreamingFedAvg sum;

        ClippedMean(AdapterState global, TrainableMask mask, float[] g, double clipNorm) {
            this.global = global;
            this.mask = mask;
            this.g = g;
            this.clipNorm = clipNorm;
            this.sum = new StreamingFedAvg(global, mask);
        }

        @Override
        public void add(String participant, AdapterState update, double weight) {
            float[] x = RobustRules.clip(RobustRules.flatten(global, mask, update), g, clipNorm);
            sum.add(RobustRules.unflatten(global, mask, x).select(mask::isTrainable), weight);
        }

        @Override
        public AggregateResult result() {
            AdapterState next = sum.result();
            return new AggregateResult(next, FreezingPolicy.updateEnergy(global, next), null);
        }
    }

    /** Keeps every (clipped) update; median or trimmed mean per coordinate at the end. */
    private static final class CoordinateWise implements Aggregation {
        private final AdapterState global;
        private final TrainableMask mask;
        private final float[] g;
        private final AggregationRule rule;
        private final List<float[]> kept = new ArrayList<>();

        CoordinateWise(AdapterState global, TrainableMask mask, float[] g, AggregationRule rule) {
            this.global = global;
            this.mask = mask;
            this.g = g;
            this.rule = rule;
        }

        @Override
        public void add(String participant, AdapterState update, double weight) {
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("update weight must be positive and finite, got " + weight);
            }
            float[] x = RobustRules.flatten(global, mask, update);
            if (rule.clips()) {
                x = RobustRules.clip(x, g, rule.clipNorm());
            }
            synchronized (kept) {
                kept.add(x);
            }
        }

        @Override
        public AggregateResult result() {
            float[][] xs;
            synchronized (kept) {
                xs = kept.toArray(new float[0][]);
            }
            if (xs.length == 0) {
                throw new IllegalStateException("no updates added: nothing to aggregate");
            }
            float[] v = rule.kind() == AggregationRule.Kind.MEDIAN
                    ? RobustRules.median(xs)
                    : RobustRules.trimmedMean(xs, RobustRules.trimCount(xs.length, rule.trimFraction()));
            AdapterState next = RobustRules.unflatten(global, mask, v);
            return new AggregateResult(next, FreezingPolicy.updateEnergy(global, next), null);
        }
    }
}
