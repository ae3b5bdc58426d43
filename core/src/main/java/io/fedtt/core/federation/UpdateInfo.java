package io.fedtt.core.federation;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a client reports with its update, carried in the safetensors {@code __metadata__} of the
 * upload under the {@code fedtt.*} keys below: the number of training examples it used (the FedAvg
 * weight), local steps run, and the metrics of the incoming global adapter on its own eval split.
 */
public record UpdateInfo(long examples, int steps, EvalMetrics eval) {

    public static final String EXAMPLES = "fedtt.examples";
    private static final Pattern ASCII_INTEGER = Pattern.compile("-?[0-9]{1,19}");
    public static final String STEPS = "fedtt.steps";
    public static final String EVAL_ACCURACY = "fedtt.eval.accuracy";
    public static final String EVAL_LOSS = "fedtt.eval.loss";
    public static final String EVAL_EXAMPLES = "fedtt.eval.examples";
    /**
     * The most training examples one update may claim, whatever the job allows: a worker reports
     * the size of its local training set, an {@code int}. Keeping every claim at or below 2^31 - 1
     * makes a round's example total (at most 2^31 claims of it) impossible to overflow a {@code long}.
     */
    public static final long MAX_EXAMPLES = Integer.MAX_VALUE;

    public UpdateInfo {
        if (examples < 1) {
            throw new IllegalArgumentException("an update must report at least 1 training example, got " + examples);
        }
        if (examples > MAX_EXAMPLES) {
            throw new IllegalArgumentException("an update may report at most " + MAX_EXAMPLES
                    + " training examples, got " + examples);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        eval = eval == null ? EvalMetrics.NONE : eval;
    }

    /** The metadata entries to put into the upload. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(EXAMPLES, Long.toString(examples));
        m.put(STEPS, Integer.toString(steps));
        if (eval.examples() > 0) {
            m.put(EVAL_EXAMPLES, Long.toString(eval.examples()));
            if (!Double.isNaN(eval.accuracy())) {
                m.put(EVAL_ACCURACY, Double.toString(eval.accuracy()));
            }
            if (!Double.isNaN(eval.loss())) {
                m.put(EVAL_LOSS, Double.toString(eval.loss()));
            }
        }
        return m;
    }

    /**
     * Reads the metadata of an upload.
     *
     * @throws IllegalArgumentException naming the key that is missing or malformed
     */
    public static UpdateInfo fromMetadata(Map<String, String> m) {
        long examples = parseLong(m, EXAMPLES, true);
        long steps = parseLong(m, STEPS, false);
        if (steps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("metadata '" + STEPS + "' is too large: " + steps);
        }
        long evalExamples = parseLong(m, EVAL_EXAMPLES, false);
        double accuracy = parseDouble(m, EVAL_ACCURACY);
        double loss = parseDouble(m, EVAL_LOSS);
        EvalMetrics eval;
        try {
            eval = new EvalMetrics(accuracy, loss, evalExamples);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("metadata eval metrics: " + e.getMessage());
        }
        if (examples < 1) {
            throw new IllegalArgumentException("metadata '" + EXAMPLES + "' must be >= 1, got " + examples);
        }
        if (examples > MAX_EXAMPLES) {
            throw new IllegalArgumentException("metadata '" + EXAMPLES + "' must be <= " + MAX_EXAMPLES + ", got " + examples);
        }
        return new UpdateInfo(examples, (int) steps, eval);
    }

    private static long parseLong(Map<String, String> m, String key, boolean required) {
        String v = m.get(key);
        if (v == null) {
            if (required) {
                throw new IllegalArgumentException("metadata '" + key + "' is missing");
            }
            return 0;
        }
        String digits = v.trim();
        if (!ASCII_INTEGER.matcher(digits).matches()) {
            // Long.parseLong also reads '+12' and non-ASCII digits (Arabic-Indic, fullwidth, ...); the wire format
            // is ASCII digits only, so every reader of an upload sees the same number.
            throw new IllegalArgumentException("metadata '" + key + "' is not an integer: '" + v + "'");
        }
        try {
            long n = Long.parseLong(digits);
            if (n < 0) {
                throw new IllegalArgumentException("metadata '" + key + "' must be >= 0, got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata '" + key + "' is not an integer: '" + v + "'");
        }
    }

    private static double parseDouble(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            return Double.NaN;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("metadata '" + key + "' is not finite: '" + v + "'");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata '" + key + "' is not a number: '" + v + "'");
        }
    }
}
