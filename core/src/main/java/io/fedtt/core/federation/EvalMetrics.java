package io.fedtt.core.federation;

/**
 * Metrics of one evaluation: accuracy in [0, 1], mean loss, and the number of examples evaluated
 * (the weight when metrics from several clients are averaged). NaN marks a metric not measured.
 */
public record EvalMetrics(double accuracy, double loss, long examples) {

    public static final EvalMetrics NONE = new EvalMetrics(Double.NaN, Double.NaN, 0);

    public EvalMetrics {
        if (!Double.isNaN(accuracy) && !(accuracy >= 0 && accuracy <= 1)) {
            throw new IllegalArgumentException("accuracy must be in [0, 1], got " + accuracy);
        }
        if (Double.isInfinite(loss)) {
            throw new IllegalArgumentException("loss must be finite, got " + loss);
        }
        if (examples < 0) {
            throw new IllegalArgumentException("evaluated examples must be >= 0, got " + examples);
        }
    }

    public boolean hasAccuracy() {
        return !Double.isNaN(accuracy) && examples > 0;
    }
}
