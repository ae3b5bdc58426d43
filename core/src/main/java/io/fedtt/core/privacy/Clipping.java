package io.fedtt.core.privacy;

/**
 * L2 clipping of a participant's change from the global adapter, in double precision so that the
 * bound holds exactly as the accountant assumes (a float round trip could exceed it by an ulp).
 * Pure functions over flattened trainable values.
 */
public final class Clipping {

    private Clipping() {
    }

    /** The L2 norm of {@code x - g}. */
    public static double distance(float[] x, float[] g) {
        check(x, g);
        double s = 0;
        for (int k = 0; k < x.length; k++) {
            double d = (double) x[k] - g[k];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /**
     * {@code (x - g) x min(1, clipNorm / ||x - g||)}: the change, scaled down to L2 norm at most
     * {@code clipNorm} (a change already within it is kept as is).
     */
    public static double[] clippedChange(float[] x, float[] g, double clipNorm) {
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("clipNorm must be a finite number > 0, got " + clipNorm);
        }
        double norm = distance(x, g);
        // The factor is a hair below clipNorm / norm so that rounding cannot put the result above clipNorm.
        double scale = norm > clipNorm ? clipNorm / norm * (1 - 1e-12) : 1;
        double[] d = new double[x.length];
        for (int k = 0; k < x.length; k++) {
            d[k] = ((double) x[k] - g[k]) * scale;
        }
        return d;
    }

    private static void check(float[] x, float[] g) {
        if (x.length != g.length) {
            throw new IllegalArgumentException("update has " + x.length + " trainable values, the global " + g.length);
        }
    }
}
