package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.fedtt.core.data.Dataset;
import io.fedtt.core.data.LabelPrior;
import io.fedtt.core.data.Example;
import io.fedtt.core.federation.RoundTask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * One round of local training: the task's steps (or epochs) of AdamW over the task's trainable
 * tensors only (the classification head's at the options' head rate, the rest at the task's), with
 * the warm-up/decay schedule, gradient clipping, seeded shuffling and dynamic
 * padding. The loss is the {@link Objective}'s: labels for a classifier, response tokens for a
 * causal language model. Every other parameter, base weights and frozen FedTT+ cores alike, is excluded from
 * autograd for the round, so it gets no gradient and keeps its value bit for bit. For a seed, the
 * batches, dropout masks and so the update are the same on every run on one machine (same threads).
 * With the task's {@code proximalMu > 0} (FedProx) each step's gradient also gets
 * {@code mu (w - w_global)} for every trainable tensor ({@link ProximalTerm}).
 */
public final class LocalTraining {

    /** What a round of local training did. */
    public record Report(int steps, long examplesSeen, double meanLoss, double firstLoss, double lastLoss,
                         long millis) {
    }

    /**
     * libtorch's autograd recorder is one per process in DJL (a second concurrent
     * GradientCollector throws), and the dropout generator is global: rounds in one JVM (in-process
     * silos) train one at a time, which also keeps each round's random stream its own.
     */
    private static final Object ENGINE_LOCK = new Object();

    private LocalTraining() {
    }

    public static Report run(TrainableModel model, Dataset train, RoundTask task, TrainingOptions options,
            StepListener listener) {
        return run(model, train, task, options, listener, () -> false);
    }

    /**
     * @param stop checked between steps; when true, the round is abandoned with
     *     {@link RoundCancelledException} and the parameters keep whatever the last step left
     */
    public static Report run(TrainableModel model, Dataset train, RoundTask task, TrainingOptions options,
            StepListener listener, BooleanSupplier stop) {
        if (!model.causalLm() && train.labels().size() != model.numLabels()) {
            throw new IllegalArgumentException(train.source() + " has " + train.labels().size()
                    + " labels, the model " + model.numLabels());
        }
        BatchPlan plan = BatchPlan.of(train.size(), task.batchSize(), task.localSteps(), task.localEpochs(), task.seed());
        LearningRateSchedule schedule = LearningRateSchedule.of(task.learningRate(), plan.steps(), options.warmupRatio());
        synchronized (ENGINE_LOCK) {
            Map<String, Parameter> trainable = trainableParameters(model, task.trainable());
            JniUtils.setSeed(task.seed()); // dropout masks
            return loop(model, train, task, options, listener, stop, plan, schedule, trainable);
        }
    }

    private static Report loop(TrainableModel model, Dataset train, RoundTask task, TrainingOptions options,
            StepListener listener, BooleanSupplier stop, BatchPlan plan, LearningRateSchedule schedule,
            Map<String, Parameter> trainable) {
        long started = System.nanoTime();
        double lossSum = 0;
        double first = Double.NaN;
        double last = Double.NaN;
        double headFactor = options.headRateFactor();
        Set<String> head = model.headNames();
        Objective objective = Objective.of(model, logitOffsets(model, train, options));
        try (ProximalTerm proximal = new ProximalTerm(model.manager(), trainable, task.proximalMu());
                AdamW optimizer = new AdamW(model.manager(), trainable, options.optimizer(), options.kernel(),
                        name -> head.contains(name) ? headFactor : 1.0)) {
            for (int t = 0; t < plan.steps(); t++) {
                if (stop.getAsBoolean()) {
                    throw new RoundCancelledException(task.round(), t, plan.steps());
                }
                double lr = schedule.at(t);
                last = step(model, objective, train, plan.batch(t), proximal, optimizer, lr);
                if (t == 0) {
                    first = last;
                }
                lossSum += last;
                listener.step(t + 1, plan.steps(), last, lr);
            }
        } finally {
            freezeAll(model);
        }
        return new Report(plan.steps(), plan.examplesSeen(), lossSum / plan.steps(), first, last,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** The participant's logit adjustment from its own label counts, or null when off or not a classifier. */
    private static float[] logitOffsets(TrainableModel model, Dataset train, TrainingOptions options) {
        if (model.causalLm() || options.logitAdjustment() == 0) {
            return null;
        }
        return LabelPrior.logitOffsets(train.labelCounts(), options.logitAdjustment());
    }

    /** Forward, backward and update on one batch; returns the batch's mean loss. */
    private static double step(TrainableModel model, Objective objective, Dataset train, int[] indices,
            ProximalTerm proximal, AdamW optimizer, double lr) {
        List<Example> batch = new ArrayList<>(indices.length);
        for (int i : indices) {
            batch.add(train.examples().get(i));
        }
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            scope.suppressNotUsedWarning(); // closes every array the step makes, on any manager
            NDArray loss;
            try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                loss = objective.loss(model, m, batch, true);
                collector.backward(loss);
            }
            double value = loss.getFloat();
            if (!Double.isFinite(value)) {
                throw new ArithmeticException("the training loss is " + value + "; lower the learning rate");
            }
            proximal.addTo();
            optimizer.step(lr);
            return value;
        }
    }

    /**
     * The parameters that train this round, by name, with autograd on for them and off for every
     * other parameter of the model.
     */
    static Map<String, Parameter> trainableParameters(TrainableModel model, List<String> names) {
        Set<String> adapter = model.adapterNames();
        Set<String> unknown = new TreeSet<>(names);
        unknown.removeAll(adapter);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("the round's task trains " + unknown.size()
                    + " tensor(s) this model's adapter does not have, e.g. " + unknown.iterator().next());
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("the round's task names no trainable tensor");
        }
        Set<String> wanted = Set.copyOf(names);
        Map<String, Parameter> all = model.parameters();
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : all.entrySet()) {
            boolean train = wanted.contains(e.getKey());
            e.getValue().freeze(!train);
            if (train) {
                out.put(e.getKey(), e.getValue());
            }
        }
        if (out.size() != wanted.size()) {
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(out.keySet());
            throw new IllegalStateException("the model lists adapter tensor(s) it has no parameter for, e.g. "
                    + missing.iterator().next());
        }
        return out;
    }

    /** No parameter takes part in autograd outside training (inference builds no graph). */
    static void freezeAll(TrainableModel model) {
        for (Parameter p : model.parameters().values()) {
            p.freeze(true);
        }
    }
}
