package io.fedtt.core.federation;

/**
 * Metrics of one evaluation: accuracy in [0, 1], mean loss, and the number of examples evaluated
 * (the weight when metrics from several clients are averaged). NaN marks a metric not measured.
 *
 * <p>What the two numbers measure depends on the job's task ({@code model.task}); the wire format is
 * the same for both:
 * <ul>
 *   <li>sequence-classification: {@code accuracy} is the share of examples whose predicted label is the
 *       true one; {@code loss} the mean cross-entropy of the classifier over the examples.</li>
 *   <li>causal-lm: {@code accuracy} is the exact-match rate of greedy decoding (the share of examples whose
 *       greedily decoded continuation of the prompt equals the reference response); {@code loss} the mean
 *       cross-entropy per response token (prompt tokens are not scored), so perplexity = exp(loss).
 *       {@code examples} still counts examples, not tokens: {@link #weightedMean} weights each client's
 *       per-token mean by its examples.</li>
 * </ul>
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
