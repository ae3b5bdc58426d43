package io.fedtt.cli.simulate.report;

import java.util.List;

/**
 * One method's run: its per-round rows (round 0 first), its final figures, and how it trained
 * ({@link Training}: what ran, as resolved from the manifest with its defaults).
 */
public record RunResult(String job, String method, List<RoundRow> rounds, FinalFigures finalFigures,
                        Training training, Privacy privacy, Budget budget) {

    /** A run without differential privacy. */
    public RunResult(String job, String method, List<RoundRow> rounds, FinalFigures finalFigures, Training training) {
        this(job, method, rounds, finalFigures, training, null, null);
    }

    /** A run without a byte budget. */
    public RunResult(String job, String method, List<RoundRow> rounds, FinalFigures finalFigures, Training training,
                     Privacy privacy) {
        this(job, method, rounds, finalFigures, training, privacy, null);
    }

    /**
     * The job's byte budget ({@code spec.communication.budgetBytes}) and its use: bytes up and down
     * as counted on the wire, what is left, and whether the job ended because the next round would
     * not have fit ({@code BudgetExhausted}).
     */
    public record Budget(long budgetBytes, long usedBytes, boolean exhausted) {

        public long remainingBytes() {
            return Math.max(0, budgetBytes - usedBytes);
        }
    }

    /**
     * The job's differential privacy and what it spent: epsilon at {@code delta} after the last
     * completed round (each round's is in its {@link RoundRow#epsilon()}), and whether the job ended
     * because the next round would have exceeded {@code targetEpsilon} (NaN when none).
     */
    public record Privacy(String mode, double clipNorm, double noiseMultiplier, double delta, double targetEpsilon,
                          double epsilon, boolean budgetExhausted) {
    }

    /**
     * How the run trained: the server optimizer as {@code ServerOptimizer.describe()} spells it
     * (e.g. {@code fedavg}, {@code fedadam(lr=0.01,b1=0.9,b2=0.99,tau=0.001)}), the aggregation rule,
     * FedProx's mu (0 = off), the clients' peak learning rate and its decay over the rounds, the
     * classification head's peak rate, the head (linear, dense or tt), the job's seed and how adapter
     * values travelled on the wire ({@code float32}, {@code float16}, {@code bfloat16}, {@code int8}),
     * secure aggregation's threshold (0 = off) and the clients' logit adjustment tau (0 = off).
     */
    public record Training(String serverOptimizer, String aggregation, double proximalMu, double learningRate,
                           String learningRateDecay, double headLearningRate, String head, long seed, String encoding,
                           int secureAggregationThreshold, double logitAdjustment) {

        /** Without secure aggregation or logit adjustment. */
        public Training(String serverOptimizer, String aggregation, double proximalMu, double learningRate,
                        String learningRateDecay, double headLearningRate, String head, long seed, String encoding) {
            this(serverOptimizer, aggregation, proximalMu, learningRate, learningRateDecay, headLearningRate, head, seed,
                    encoding, 0, 0);
        }

        /** Exchanged in float32. */
        public Training(String serverOptimizer, String aggregation, double proximalMu, double learningRate,
                        String learningRateDecay, double headLearningRate, String head, long seed) {
            this(serverOptimizer, aggregation, proximalMu, learningRate, learningRateDecay, headLearningRate, head, seed,
                    "float32");
        }

        /** A causal language model: no classification head; accuracy is the exact match of greedy answers. */
        public boolean causalLm() {
            return NO_HEAD.equals(head);
        }
    }

    /** {@link Training#head()} of a causal-lm run. */
    public static final String NO_HEAD = "none";

    public RunResult {
        rounds = List.copyOf(rounds);
    }

    /** A run without training details (tests of the report alone). */
    public RunResult(String job, String method, List<RoundRow> rounds, FinalFigures finalFigures) {
        this(job, method, rounds, finalFigures, null);
    }
}
