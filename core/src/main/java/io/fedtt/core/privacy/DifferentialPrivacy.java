package io.fedtt.core.privacy;

import java.util.Locale;
import java.util.Objects;

/**
 * A job's differential-privacy settings ({@code spec.privacy.differentialPrivacy}).
 *
 * <p>The unit protected is one <b>participant</b> (a silo, or a device in a cross-device job) with all
 * its data: user-level DP as in McMahan et al., "Learning Differentially Private Recurrent Language
 * Models" (DP-FedAvg, 2018). Each round every participant's update is reduced to its change from the
 * round's global adapter over the round's trainable tensors (FedTT+ frozen cores take no part), and
 * that change is clipped to L2 norm {@code clipNorm}.
 * <ul>
 *   <li>{@link Mode#CENTRAL}: the coordinator clips, averages the clipped changes with equal weights
 *       over the number of participants the round <i>selected</i> (fixed before any data is seen), and
 *       adds Gaussian noise of standard deviation {@code noiseMultiplier x clipNorm / selected}. A
 *       selected participant whose update does not arrive counts as a zero change, so dropouts do not
 *       weaken the guarantee. Each completed round is one step of the sampled Gaussian mechanism with
 *       q = selected per round / participants (Poisson-sampling analysis; see {@link PrivacySpent}).
 *       The coordinator sees individual (unnoised) updates: it must be trusted, or combined with secure
 *       aggregation once that exists (noise is added to the aggregate only, so a masked sum fits).</li>
 *   <li>{@link Mode#LOCAL}: each participant clips and noises its own change before it uploads it
 *       (standard deviation {@code noiseMultiplier x clipNorm}); the coordinator aggregates as usual.
 *       Nothing that leaves a participant is unnoised. Two clipped changes may differ by up to
 *       {@code 2 x clipNorm}, so each upload is a Gaussian mechanism with noise multiplier
 *       {@code noiseMultiplier / 2}, composed over the rounds the participant uploaded in.</li>
 * </ul>
 *
 * @param mode            central or local
 * @param clipNorm        the largest L2 norm of one participant's change, &gt; 0
 * @param noiseMultiplier noise standard deviation over the sensitivity (clipNorm), &gt; 0
 * @param delta           the delta epsilon is reported for, in (0, 1)
 * @param targetEpsilon   the job ends before a round that would take epsilon above this; NaN = no limit
 */
public record DifferentialPrivacy(Mode mode, double clipNorm, double noiseMultiplier, double delta, double targetEpsilon) {

    /** The delta used when a manifest gives none: 1e-5, as Opacus's and TF-Privacy's examples. */
    public static final double DEFAULT_DELTA = 1e-5;

    public enum Mode {
        CENTRAL("central"),
        LOCAL("local");

        private final String wireName;

        Mode(String wireName) {
            this.wireName = wireName;
        }

        /** The spelling of {@code spec.privacy.differentialPrivacy.mode}. */
        public String wireName() {
            return wireName;
        }

        /** The mode spelled {@code name} in a manifest (case-insensitive). */
        public static Mode parse(String name) {
            for (Mode m : values()) {
                if (m.wireName.equalsIgnoreCase(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("differentialPrivacy.mode: '" + name + "' is not one of central, local");
        }
    }

    public DifferentialPrivacy {
        Objects.requireNonNull(mode, "mode");
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("differentialPrivacy.clipNorm: must be a finite number > 0, got " + clipNorm);
        }
        if (!(noiseMultiplier > 0) || Double.isInfinite(noiseMultiplier)) {
            throw new IllegalArgumentException("differentialPrivacy.noiseMultiplier: must be a finite number > 0, got "
                    + noiseMultiplier);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("differentialPrivacy.delta: must be in (0, 1), got " + delta);
        }
        if (!Double.isNaN(targetEpsilon) && !(targetEpsilon > 0 && Double.isFinite(targetEpsilon))) {
            throw new IllegalArgumentException("differentialPrivacy.targetEpsilon: must be a finite number > 0, got "
                    + targetEpsilon);
        }
    }

    public static DifferentialPrivacy central(double clipNorm, double noiseMultiplier) {
        return new DifferentialPrivacy(Mode.CENTRAL, clipNorm, noiseMultiplier, DEFAULT_DELTA, Double.NaN);
    }

    public static DifferentialPrivacy local(double clipNorm, double noiseMultiplier) {
        return new DifferentialPrivacy(Mode.LOCAL, clipNorm, noiseMultiplier, DEFAULT_DELTA, Double.NaN);
    }

    public DifferentialPrivacy withDelta(double value) {
        return new DifferentialPrivacy(mode, clipNorm, noiseMultiplier, value, targetEpsilon);
    }

    public DifferentialPrivacy withTargetEpsilon(double value) {
        return new DifferentialPrivacy(mode, clipNorm, noiseMultiplier, delta, value);
    }

    public boolean central() {
        return mode == Mode.CENTRAL;
    }

    public boolean hasTarget() {
        return !Double.isNaN(targetEpsilon);
    }

    /**
     * The noise multiplier of one release in the accountant's terms (sensitivity = its L2 bound):
     * central, add-or-remove one participant changes the clipped sum by at most clipNorm;
     * local, replacing a participant's data moves its clipped change by at most 2 x clipNorm.
     */
    public double accountedNoiseMultiplier() {
        return central() ? noiseMultiplier : noiseMultiplier / 2;
    }

    /** E.g. {@code central(clip=1.0,z=1.1,delta=1.0E-5)}. */
    public String describe() {
        String base = String.format(Locale.ROOT, "%s(clip=%s,z=%s,delta=%s", mode.wireName(), clipNorm, noiseMultiplier, delta);
        return hasTarget() ? base + String.format(Locale.ROOT, ",targetEpsilon=%s)", targetEpsilon) : base + ")";
    }
}
