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

    /**
     * The mean of several evaluations, each weighted by its examples (those without examples are
     * left out); a metric nobody measured stays NaN. The examples of the result are the total.
     */
    public static EvalMetrics weightedMean(Iterable<EvalMetrics> all) {
        double accSum = 0;
        double lossSum = 0;
        long accN = 0;
        long lossN = 0;
        long n = 0;
        for (EvalMetrics m : all) {
            if (m.examples() <= 0) {
                continue;
            }
            n += m.examples();
            if (!Double.isNaN(m.accuracy())) {
                accSum += m.accuracy() * m.examples();
                accN += m.examples();
            }
            if (!Double.isNaN(m.loss())) {
                lossSum += m.loss() * m.examples();
                lossN += m.examples();
            }
        }
        return new EvalMetrics(accN == 0 ? Double.NaN : accSum / accN, lossN == 0 ? Double.NaN : lossSum / lossN, n);
    }
}
