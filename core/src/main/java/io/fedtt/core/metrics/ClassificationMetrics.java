package io.fedtt.core.metrics;

/**
 * Accuracy, macro-F1 and mean loss of a classifier, accumulated batch by batch (a confusion matrix
 * and a loss sum): evaluation never holds all predictions at once.
 */
public final class ClassificationMetrics {

    /** The figures of one evaluation; NaN when nothing was evaluated. */
    public record Result(long examples, double accuracy, double macroF1, double loss) {}

    private final long[][] confusion;
    private double lossSum;
    private long examples;

    public ClassificationMetrics(int numLabels) {
        if (numLabels < 2) {
            throw new IllegalArgumentException("numLabels must be >= 2, got " + numLabels);
        }
        confusion = new long[numLabels][numLabels];
    }

    /** Adds one example: its true label, the predicted label and its loss. */
    public void add(int label, int predicted, double loss) {
        int n = confusion.length;
        if (label < 0 || label >= n || predicted < 0 || predicted >= n) {
            throw new IllegalArgumentException("label " + label + " / prediction " + predicted + " outside [0, " + n + ")");
        }
        confusion[label][predicted]++;
        lossSum += loss;
        examples++;
    }

    public Result result() {
        if (examples == 0) {
            return new Result(0, Double.NaN, Double.NaN, Double.NaN);
        }
        int n = confusion.length;
        long correct = 0;
        double f1Sum = 0;
        int classes = 0;
        for (int c = 0; c < n; c++) {
            long tp = confusion[c][c];
            long actual = 0;
            long predicted = 0;
            for (int k = 0; k < n; k++) {
                actual += confusion[c][k];
                predicted += confusion[k][c];
            }
            correct += tp;
            if (actual == 0 && predicted == 0) {
                continue; // a class absent from this split does not drag macro-F1 to 0
            }
            classes++;
            f1Sum += actual + predicted == 0 ? 0 : 2.0 * tp / (actual + predicted);
        }
        return new Result(examples, (double) correct / examples, classes == 0 ? Double.NaN : f1Sum / classes,
                lossSum / examples);
    }
}
