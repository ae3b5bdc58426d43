package io.fedtt.core.privacy;

import java.util.ArrayList;
import java.util.List;

/**
 * A Rényi-DP accountant for repeated sampled Gaussian steps: RDP adds up over steps at every order
 * (composition), and the spent budget is converted to (epsilon, delta) by {@link RdpConversion}.
 * Immutable: {@link #afterSteps} returns the accountant after more steps.
 *
 * <p>The orders are dp-accounting's (TF-Privacy's) default list: 1.1 to 10.9 in steps of 0.1, the
 * integers 11 to 63, and 128, 256, 512, 1024. Opacus uses the same grid without the four large orders,
 * which matter only for very small epsilons.
 */
public final class RdpAccountant {

    /** The default RDP orders. */
    public static final double[] DEFAULT_ORDERS = defaultOrders();

    private final double[] orders;
    private final double[] rdp;

    private RdpAccountant(double[] orders, double[] rdp) {
        this.orders = orders;
        this.rdp = rdp;
    }

    /** Nothing spent yet, on the default orders. */
    public static RdpAccountant empty() {
        return new RdpAccountant(DEFAULT_ORDERS.clone(), new double[DEFAULT_ORDERS.length]);
    }

    /** This accountant after {@code steps} more steps of the sampled Gaussian mechanism (q, sigma). */
    public RdpAccountant afterSteps(double q, double noiseMultiplier, long steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        double[] next = rdp.clone();
        if (steps > 0) {
            for (int k = 0; k < orders.length; k++) {
                next[k] += steps * SampledGaussianRdp.rdp(q, noiseMultiplier, orders[k]);
            }
        }
        return new RdpAccountant(orders, next);
    }

    /** The spent budget as epsilon at {@code delta}. */
    public double epsilon(double delta) {
        return RdpConversion.epsilon(orders, rdp, delta);
    }

    /** The order at which {@link #epsilon} is attained (for reports and tests). */
    public double bestOrder(double delta) {
        return RdpConversion.best(orders, rdp, delta)[1];
    }

    /**
     * epsilon after {@code steps} steps of (q, sigma) from nothing: the common case of one mechanism
     * repeated, computed in one pass over the orders.
     */
    public static double epsilon(double q, double noiseMultiplier, long steps, double delta) {
        return empty().afterSteps(q, noiseMultiplier, steps).epsilon(delta);
    }

    private static double[] defaultOrders() {
        List<Double> o = new ArrayList<>();
        for (int x = 1; x < 100; x++) {
            o.add(1 + x / 10.0);
        }
        for (int a = 11; a < 64; a++) {
            o.add((double) a);
        }
        o.add(128.0);
        o.add(256.0);
        o.add(512.0);
        o.add(1024.0);
        return o.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
