package io.fedtt.worker.train;

/**
 * Linear warm-up then linear decay over one round's local steps. Step t (0-based) of T with W
 * warm-up steps uses {@code peak * (t+1)/W} while t < W, then {@code peak * (T-t)/(T-W)}: the
 * first step already moves (unlike a schedule that starts at 0) and the last one still does.
 */
public record LearningRateSchedule(double peak, int totalSteps, int warmupSteps) {

    public LearningRateSchedule {
        if (!(peak > 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("learning rate must be > 0 and finite, got " + peak);
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("a round needs at least 1 step, got " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("warm-up steps must be in [0, " + totalSteps + "], got " + warmupSteps);
        }
    }

    /** Warm-up for {@code ratio} of the steps (rounded), e.g. 0.1 of 20 steps = 2. */
    public static LearningRateSchedule of(double peak, int totalSteps, double warmupRatio) {
        if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
            throw new IllegalArgumentException("warmupRatio must be in [0, 1], got " + warmupRatio);
        }
        return new LearningRateSchedule(peak, totalSteps, (int) Math.round(warmupRatio * totalSteps));
    }

    /** The learning rate of step {@code t} (0-based). */
    public double at(int t) {
        if (t < 0 || t >= totalSteps) {
            throw new IllegalArgumentException("step " + t + " is outside [0, " + totalSteps + ")");
        }
        if (t < warmupSteps) {
            return peak * (t + 1) / warmupSteps;
        }
        return peak * (totalSteps - t) / (totalSteps - warmupSteps);
    }
}
