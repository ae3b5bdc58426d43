package io.fedtt.core.data;

/**
 * Logit adjustment for label-skewed participants (Menon et al. 2021; FedLC, Zhang et al. 2022): a
 * participant trains on {@code logits + tau * log(prior)}, its own smoothed label frequencies, so the
 * loss it minimizes is that of a class-balanced model and its update stops pulling the shared head
 * towards the classes it happens to hold. Prediction uses the plain logits.
 */
public final class LabelPrior {

    private LabelPrior() {
    }

    /**
     * {@code tau * log((n_c + 1) / (n + K))} per class: add-one smoothing keeps a class the participant
     * never saw finite (its logit is pushed far down in training, so it is barely trained against).
     *
     * @param counts examples per label, in label order
     * @param tau the adjustment's strength (0: none, all offsets 0)
     */
    public static float[] logitOffsets(int[] counts, double tau) {
        if (!(tau >= 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("logit adjustment tau must be >= 0, got " + tau);
        }
        long n = 0;
        for (int c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("negative label count " + c);
            }
            n += c;
        }
        float[] out = new float[counts.length];
        if (tau == 0) {
            return out;
        }
        double total = n + counts.length;
        for (int i = 0; i < counts.length; i++) {
            out[i] = (float) (tau * Math.log((counts[i] + 1) / total));
        }
        return out;
    }
}
