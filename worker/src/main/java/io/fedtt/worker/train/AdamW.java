package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter) over a fixed set of parameters, with
 * clipping of the global gradient norm. Its moment estimates live in its own manager and start at
 * zero: a new optimizer per round, as every client starts a round from the global adapter.
 * Biases and LayerNorm parameters get no weight decay (the usual Transformer fine-tuning rule).
 * <p>
 * Two kernels give the same update: {@link Kernel#FUSED} is libtorch's one-call Adam step that DJL
 * exposes (one native call per tensor), {@link Kernel#NDARRAY} the same math in NDArray operations
 * (about ten calls per tensor). Gradients are zeroed after each step.
 */
public final class AdamW implements AutoCloseable {

    public enum Kernel { FUSED, NDARRAY }

    /** Hyper-parameters; {@code maxGradNorm <= 0} disables clipping. */
    public record Settings(double beta1, double beta2, double epsilon, double weightDecay, double maxGradNorm) {

        public Settings {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
            }
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
            }
        }

        public static Settings defaults() {
            return new Settings(0.9, 0.999, 1e-8, 0.0, 1.0);
        }

        public Settings withWeightDecay(double value) {
            return new Settings(beta1, beta2, epsilon, value, maxGradNorm);
        }

        public Settings withMaxGradNorm(double value) {
            return new Settings(beta1, beta2, epsilon, weightDecay, value);
        }
    }

    private final Settings settings;
    private final Kernel kernel;
    private final NDManager stateManager;
    private final List<Slot> slots = new ArrayList<>();
    private int t;

    /** @param rate the parameter's learning rate over the step's (parameter groups) */
    private record Slot(String name, Parameter parameter, NDArray mean, NDArray variance, float decay, double rate) {
    }

    public AdamW(NDManager parent, Map<String, Parameter> trainable, Settings settings, Kernel kernel) {
        this(parent, trainable, settings, kernel, name -> 1.0);
    }

    /**
     * @param rateFactor each parameter's learning rate over the rate passed to {@link #step} (e.g. a
     *     classification head that trains faster than the adapters), by name
     */
    public AdamW(NDManager parent, Map<String, Parameter> trainable, Settings settings, Kernel kernel,
            ToDoubleFunction<String> rateFactor) {
        this.settings = settings;
        this.kernel = kernel;
        this.stateManager = parent.newSubManager();
        for (Map.Entry<String, Parameter> e : new LinkedHashMap<>(trainable).entrySet()) {
            NDArray w = e.getValue().getArray();
            NDArray m = stateManager.zeros(w.getShape(), w.getDataType());
            NDArray v = stateManager.zeros(w.getShape(), w.getDataType());
            NDScope.unregister(m, v); // state outlives any step scope it is created in
            float decay = decays(e.getKey()) ? (float) settings.weightDecay() : 0f;
            double rate = rateFactor.applyAsDouble(e.getKey());
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("learning-rate factor of " + e.getKey() + " must be > 0, got " + rate);
            }
            slots.add(new Slot(e.getKey(), e.getValue(), m, v, decay, rate));
        }
        zeroGradients(); // autograd accumulates: nothing left over from before may enter the first step
    }

    /** Clears the gradients of this optimizer's parameters (a no-op for those that have none yet). */
    public void zeroGradients() {
        for (Slot s : slots) {
            PtNDArray w = (PtNDArray) s.parameter().getArray();
            PtNDArray g = JniUtils.getGradient(w);
            if (g != null) {
                JniUtils.zeroGrad(w);
                g.close();
            }
        }
    }

    static boolean decays(String name) {
        return !(name.endsWith(".bias") || name.contains("LayerNorm") || name.contains("layer_norm"));
    }

    public int stepsTaken() {
        return t;
    }

    /**
     * One update with the gradients the last backward pass left on the parameters.
     *
     * @return the global gradient norm before clipping
     */
    public double step(double learningRate) {
        t++;
        try (GradMode off = GradMode.disabled(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning(); // closes gradients and temporaries of this step
            NDArray[] grads = new NDArray[slots.size()];
            for (int i = 0; i < grads.length; i++) {
                grads[i] = slots.get(i).parameter().getArray().getGradient();
            }
            double norm = globalNorm(grads);
            if (!Double.isFinite(norm)) {
                throw new ArithmeticException("the gradient norm is " + norm + " at step " + t
                        + "; lower the learning rate or check the data");
            }
            double clip = settings.maxGradNorm();
            float scale = clip > 0 && norm > clip ? (float) (clip / (norm + 1e-6)) : 1f;
            for (int i = 0; i < grads.length; i++) {
                Slot s = slots.get(i);
                if (kernel == Kernel.FUSED) {
                    fused(s, grads[i], learningRate * s.rate(), scale);
                } else {
                    ndarray(s, grads[i], learningRate * s.rate(), scale);
                }
            }
            return norm;
        }
    }

    /** sqrt of the sum of squares of all gradients, in one round trip to native memory. */
    static double globalNorm(NDArray[] grads) {
        if (grads.length == 0) {
            return 0;
        }
        NDArray total = null;
        for (NDArray g : grads) {
            NDArray sq = g.square().sum();
            total = total == null ? sq : total.addi(sq);
        }
        double norm = Math.sqrt(total.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
        total.close();
        return norm;
    }

    private void fused(Slot s, NDArray grad, double lr, float scale) {
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        float corrected = (float) (lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t)));
        NDArray w = s.parameter().getArray();
        w.getNDArrayInternal().adamUpdate(new NDList(w, grad, s.mean(), s.variance()), new NDList(w),
                (float) lr, corrected, s.decay(), scale, -1f, (float) b1, (float) b2, (float) settings.epsilon(),
                false, true);
    }

    private void ndarray(Slot s, NDArray grad, double lr, float scale) {
        double b1 = settings.beta1();
        double b2 = settings.beta2();
        NDArray w = s.parameter().getArray();
        NDArray g = scale == 1f ? grad : grad.mul(scale);
        s.mean().muli(b1).addi(g.mul(1 - b1));
        s.variance().muli(b2).addi(g.square().muli(1 - b2));
        if (s.decay() > 0) {
            w.muli(1 - lr * s.decay());
        }
        // w -= lr * m_hat / (sqrt(v_hat) + eps), in DJL's/torch's folded form: the bias corrections
        // move into the step size and epsilon, as libtorch's fused kernel does.
        double corrected = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
        NDArray update = s.mean().div(s.variance().sqrt().addi(settings.epsilon())).muli(corrected);
        w.subi(update);
        JniUtils.zeroGrad((PtNDArray) w);
    }

    /** Clears the gradients (also after a failed or abandoned step) and frees the moment estimates. */
    @Override
    public void close() {
        zeroGradients();
        stateManager.close();
    }
}
