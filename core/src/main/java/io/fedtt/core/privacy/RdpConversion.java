package io.fedtt.core.privacy;

/**
 * From Rényi DP to (epsilon, delta)-DP: the bound of Balle, Barthe, Gaboardi, Hsu and Sato, "Hypothesis
 * Testing Interpretations and Renyi Differential Privacy" (AISTATS 2020, Theorem 21), also in
 * Canonne, Kamath and Steinke 2020 (Proposition 12): at order alpha,
 * {@code epsilon = rdp + log((alpha - 1) / alpha) - (log(delta) + log(alpha)) / (alpha - 1)},
 * minimized over the orders. This is the conversion Opacus ({@code get_privacy_spent}) and Google's
 * dp-accounting use; it is tighter than Mironov 2017's {@code rdp - log(delta) / (alpha - 1)}.
 * As dp-accounting does, an order whose RDP is so small that {@code delta >= sqrt(1 - exp(-rdp))}
 * (a KL-divergence bound) gives epsilon 0, and orders at or below 1.01 are not used (the bound is
 * numerically unstable there). Pure functions.
 */
public final class RdpConversion {

    private RdpConversion() {
    }

    /** The smallest epsilon over {@code orders} for the RDP values {@code rdp} at {@code delta} in (0, 1). */
    public static double epsilon(double[] orders, double[] rdp, double delta) {
        return best(orders, rdp, delta)[0];
    }

    /** {epsilon, the order that gave it}. */
    static double[] best(double[] orders, double[] rdp, double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        if (orders.length != rdp.length || orders.length == 0) {
            throw new IllegalArgumentException("need one RDP value per order");
        }
        double bestEps = Double.POSITIVE_INFINITY;
        double bestOrder = Double.NaN;
        for (int k = 0; k < orders.length; k++) {
            double a = orders[k];
            double r = rdp[k];
            double eps;
            if (r < 0) {
                eps = 0; // numerical noise around a vanishing RDP
            } else if (delta * delta + Math.expm1(-r) > 0) {
                eps = 0;
            } else if (a > 1.01) {
                eps = r + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1);
            } else {
                eps = Double.POSITIVE_INFINITY;
            }
            if (eps < bestEps || Double.isNaN(bestOrder)) {
                bestEps = eps;
                bestOrder = a;
            }
        }
        return new double[] {Math.max(0, bestEps), bestOrder};
    }
}
