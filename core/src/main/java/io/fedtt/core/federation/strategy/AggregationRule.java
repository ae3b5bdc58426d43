package io.fedtt.core.federation.strategy;

import java.util.Locale;
import java.util.Objects;

/**
 * How a round's accepted updates combine into the next global adapter, as a job configures it
 * ({@code spec.method.aggregation}). Three rules, in the spirit of Flower's {@code FedAvg},
 * {@code FedMedian} and {@code FedTrimmedAvg}, each optionally after per-update norm clipping:
 * <ul>
 *   <li>{@link Kind#FEDAVG}: the weighted mean, weight = claimed examples x participant weight
 *       (the default; streaming, one double per trainable value);</li>
 *   <li>{@link Kind#MEDIAN}: the coordinate-wise median of the updates, each counted once whatever it
 *       claims (the mean of the two middle values for an even count);</li>
 *   <li>{@link Kind#TRIMMED_MEAN}: per coordinate, drop the {@code k = floor(trimFraction x n)} largest
 *       and {@code k} smallest of the {@code n} values and take the unweighted mean of the rest.</li>
 * </ul>
 * With {@code clipNorm} &gt; 0 every update is first pulled towards the round's global adapter so that
 * its distance to it (the L2 norm over all trainable tensors together) is at most {@code clipNorm}:
 * {@code x' = g + (x - g) * min(1, clipNorm / ||x - g||)}.
 *
 * @param kind         the rule
 * @param trimFraction the fraction trimmed at each end, in [0, 0.5); used by {@link Kind#TRIMMED_MEAN} only
 * @param clipNorm     the largest L2 distance of an update to the global; 0 = no clipping
 */
public record AggregationRule(Kind kind, double trimFraction, double clipNorm) {

    /** Flower's FedTrimmedAvg default: 20% at each end. */
    public static final double DEFAULT_TRIM_FRACTION = 0.2;

    /** Plain FedAvg without clipping: what a job runs unless told otherwise. */
    public static final AggregationRule FEDAVG = new AggregationRule(Kind.FEDAVG, 0, 0);

    public enum Kind {
        FEDAVG("fedavg"),
        MEDIAN("median"),
        TRIMMED_MEAN("trimmedMean");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        /** The spelling of {@code spec.method.aggregation.rule}. */
        public String wireName() {
            return wireName;
        }

        /** The kind spelled {@code name} in a manifest (case-insensitive). */
        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.wireName.equalsIgnoreCase(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("aggregation rule '" + name + "' is not one of fedavg, median, trimmedMean");
        }
    }

    public AggregationRule {
        Objects.requireNonNull(kind, "kind");
        if (!(trimFraction >= 0 && trimFraction < 0.5)) {
            throw new IllegalArgumentException("aggregation trimFraction must be in [0, 0.5), got " + trimFraction);
        }
        if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("aggregation clipNorm must be a finite number >= 0 (0 = off), got " + clipNorm);
        }
        if (kind != Kind.TRIMMED_MEAN) {
            trimFraction = 0;
        }
    }

    public static AggregationRule median() {
        return new AggregationRule(Kind.MEDIAN, 0, 0);
    }

    public static AggregationRule trimmedMean(double trimFraction) {
        return new AggregationRule(Kind.TRIMMED_MEAN, trimFraction, 0);
    }

    /** This rule after clipping every update to {@code value} (0 = off). */
    public AggregationRule withClipNorm(double value) {
        return new AggregationRule(kind, trimFraction, value);
    }

    public boolean clips() {
        return clipNorm > 0;
    }

    /** Whether this is plain FedAvg without clipping (the streaming default). */
    public boolean isPlainFedAvg() {
        return kind == Kind.FEDAVG && !clips();
    }

    /** E.g. {@code fedavg}, {@code median+clip(1.0)}, {@code trimmedMean(0.2)}. */
    public String describe() {
        String base = kind == Kind.TRIMMED_MEAN
                ? String.format(Locale.ROOT, "%s(%s)", kind.wireName(), trimFraction) : kind.wireName();
        return clips() ? base + "+clip(" + clipNorm + ")" : base;
    }
}
