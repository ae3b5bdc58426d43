package io.fedtt.core.federation.strategy;

/**
 * The server optimizers' arithmetic on one tensor, as pure functions over flat arrays (see
 * {@link ServerOptimizer} for the formulas). Moments are kept in float so that the state the
 * coordinator persists (F32 safetensors) is exactly the state the next round computes with: a restarted
 * coordinator then continues bit for bit. Each value is computed in double and rounded once.
 */
final class ServerSteps {

    private ServerSteps() {
    }

    /**
     * One server step. Updates {@code m} (and {@code v} for FedAdam and FedYogi) in place and returns
     * the new global values.
     *
     * @param x     the old global values
     * @param point the round's aggregate (weighted mean, median, ...), same length
     * @param m     first moment, same length
     * @param v     second moment, same length; ignored (may be null) unless the optimizer is adaptive
     */
    static float[] step(ServerOptimizer o, float[] x, float[] point, float[] m, float[] v) {
        float[] next = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double delta = (double) point[i] - x[i];
            switch (o.kind()) {
                case FEDAVG -> next[i] = point[i];
                case FEDAVGM -> {
                    m[i] = (float) (o.beta1() * m[i] + delta);
                    next[i] = (float) (x[i] + o.learningRate() * m[i]);
                }
                case FEDADAM, FEDYOGI -> {
                    m[i] = (float) (o.beta1() * m[i] + (1 - o.beta1()) * delta);
                    v[i] = (float) secondMoment(o, v[i], delta * delta);
                    next[i] = (float) (x[i] + o.learningRate() * m[i] / (Math.sqrt(v[i]) + o.tau()));
                }
                default -> throw new IllegalStateException("unknown optimizer " + o.kind());
            }
        }
        return next;
    }

    /**
     * Adam's exponential average, or Yogi's additive update, which moves v towards delta^2 by a step
     * that does not grow with v: it forgets a large past second moment more slowly than Adam, which
     * keeps the effective step small after a burst of large updates.
     */
    static double secondMoment(ServerOptimizer o, double v, double delta2) {
        double b = 1 - o.beta2();
        return o.kind() == ServerOptimizer.Kind.FEDYOGI
                ? v - b * delta2 * Math.signum(v - delta2)
                : o.beta2() * v + b * delta2;
    }
}
