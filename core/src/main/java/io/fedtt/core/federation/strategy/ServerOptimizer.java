package io.fedtt.core.federation.strategy;

import java.util.Locale;
import java.util.Objects;

/**
 * The server's step from the old global adapter towards the point a round's aggregation produced, as
 * in "Adaptive Federated Optimization" (Reddi et al., 2021). Per trainable tensor the pseudo-gradient
 * is {@code delta = aggregate - global} (the aggregate being the weighted mean, or whatever robust
 * rule the job chose), and:
 * <ul>
 *   <li>{@link Kind#FEDAVG}: {@code global + delta}, i.e. the aggregate itself (the default, stateless);</li>
 *   <li>{@link Kind#FEDAVGM}: {@code m = beta1 m + delta}; {@code global + eta m};</li>
 *   <li>{@link Kind#FEDADAM}: {@code m = beta1 m + (1 - beta1) delta},
 *       {@code v = beta2 v + (1 - beta2) delta^2}; {@code global + eta m / (sqrt(v) + tau)};</li>
 *   <li>{@link Kind#FEDYOGI}: as FedAdam but {@code v = v - (1 - beta2) delta^2 sign(v - delta^2)}.</li>
 * </ul>
 * Moments start at zero (so Yogi's first step equals Adam's) and are server state per tensor.
 *
 * @param kind         the optimizer
 * @param learningRate the server learning rate eta, positive
 * @param beta1        first-moment decay (FedAvgM's momentum), in [0, 1)
 * @param beta2        second-moment decay (FedAdam, FedYogi), in [0, 1)
 * @param tau          adaptivity: added to sqrt(v) so small second moments do not blow the step up, positive
 */
public record ServerOptimizer(Kind kind, double learningRate, double beta1, double beta2, double tau) {

    /** FedAvgM's eta: 1, so that with beta1 = 0 it is exactly FedAvg. */
    public static final double DEFAULT_LEARNING_RATE_MOMENTUM = 1.0;
    /** FedAdam's and FedYogi's eta: the paper's grid centres near 1e-2 for adapters of this size. */
    public static final double DEFAULT_LEARNING_RATE_ADAPTIVE = 1e-2;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.99;
    public static final double DEFAULT_TAU = 1e-3;

    /** Plain FedAvg: the aggregate becomes the next global, no server state. */
    public static final ServerOptimizer FEDAVG =
            new ServerOptimizer(Kind.FEDAVG, 1.0, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_TAU);

    public enum Kind {
        FEDAVG("fedavg"),
        FEDAVGM("fedavgm"),
        FEDADAM("fedadam"),
        FEDYOGI("fedyogi");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        /** The spelling of {@code spec.method.serverOptimizer.type}. */
        public String wireName() {
            return wireName;
        }

        /** Whether the optimizer keeps a second moment v (FedAdam, FedYogi). */
        public boolean adaptive() {
            return this == FEDADAM || this == FEDYOGI;
        }

        /** The learning rate used when a manifest gives none. */
        public double defaultLearningRate() {
            return adaptive() ? DEFAULT_LEARNING_RATE_ADAPTIVE : DEFAULT_LEARNING_RATE_MOMENTUM;
        }

        /** The kind spelled {@code name} in a manifest (case-insensitive). */
        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.wireName.equalsIgnoreCase(name)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("server optimizer '" + name + "' is not one of fedavg, fedavgm, fedadam, fedyogi");
        }
    }

    public ServerOptimizer {
        Objects.requireNonNull(kind, "kind");
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("server learningRate must be positive and finite, got " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("server beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("server beta2 must be in [0, 1), got " + beta2);
        }
        if (!(tau > 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("server tau must be positive and finite, got " + tau);
        }
    }

    /** {@code kind} with its default learning rate, betas and tau. */
    public static ServerOptimizer defaults(Kind kind) {
        return new ServerOptimizer(kind, kind.defaultLearningRate(), DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_TAU);
    }

    /** Whether the aggregate is taken as is (no server step, no state). */
    public boolean isPlainFedAvg() {
        return kind == Kind.FEDAVG;
    }

    /** E.g. {@code fedadam(lr=0.01,b1=0.9,b2=0.99,tau=0.001)}. */
    public String describe() {
        if (isPlainFedAvg()) {
            return kind.wireName();
        }
        return kind.adaptive()
                ? String.format(Locale.ROOT, "%s(lr=%s,b1=%s,b2=%s,tau=%s)", kind.wireName(), learningRate, beta1, beta2, tau)
                : String.format(Locale.ROOT, "%s(lr=%s,b1=%s)", kind.wireName(), learningRate, beta1);
    }
}
