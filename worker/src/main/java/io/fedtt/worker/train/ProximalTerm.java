package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * FedProx's proximal term (Li et al., "Federated Optimization in Heterogeneous Networks", 2020): the
 * local objective becomes {@code F(w) + mu/2 ||w - w_global||^2}, so each step's gradient gains
 * {@code mu (w - w_global)} for every trainable tensor. It pulls a client's adapter back towards the
 * round's global values and so limits how far non-IID clients drift apart within one round.
 *
 * <p>{@code w_global} is copied once, at the start of the round (the values the round's global
 * adapter loaded into the parameters), into a manager of its own that {@link #close} frees at the end
 * of the round: one native copy of the trainable tensors, nothing per step beyond the step's
 * temporaries. Parameters that do not train this round (frozen FedTT+ cores, the base model) are not
 * in the map and are never touched. With {@code mu = 0} nothing is copied and {@link #addTo} does
 * nothing: training is exactly the plain path.
 */
final class ProximalTerm implements AutoCloseable {

    private record Anchor(Parameter parameter, NDArray global) {
    }

    private final float mu;
    private final NDManager manager;
    private final List<Anchor> anchors = new ArrayList<>();

    /**
     * @param trainable the round's trainable parameters, holding the round's global values now
     * @param mu        FedProx's mu, >= 0; 0 disables the term
     */
    ProximalTerm(NDManager parent, Map<String, Parameter> trainable, double mu) {
        if (!(mu >= 0) || Double.isInfinite(mu)) {
            throw new IllegalArgumentException("proximalMu must be >= 0 and finite, got " + mu);
        }
        this.mu = (float) mu;
        if (mu == 0) {
            manager = null;
            return;
        }
        manager = parent.newSubManager();
        try (GradMode off = GradMode.disabled()) {
            for (Parameter p : trainable.values()) {
                NDArray copy = p.getArray().duplicate(); // a detached copy: autograd is off
                copy.attach(manager);
                NDScope.unregister(copy); // lives for the round, not for any step scope around us
                anchors.add(new Anchor(p, copy));
            }
        }
    }

    boolean active() {
        return manager != null;
    }

    /**
     * Adds {@code mu (w - w_global)} to the gradient the last backward pass left on each trainable
     * parameter, in place, before the optimizer's clipping and moments see it (the gradient of the
     * proximal objective).
     */
    void addTo() {
        if (!active()) {
            return;
        }
        try (GradMode off = GradMode.disabled(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning(); // closes the gradient handles and temporaries
            for (Anchor a : anchors) {
                NDArray w = a.parameter().getArray();
                NDArray grad = w.getGradient();
                if (grad == null) {
                    continue; // not reached by the loss: the optimizer refuses it too
                }
                grad.addi(w.sub(a.global()).muli(mu));
            }
        }
    }

    /** The squared distance {@code ||w - w_global||^2} over the trainable tensors (0 when inactive). */
    double squaredDistance() {
        if (!active()) {
            return 0;
        }
        double sum = 0;
        try (GradMode off = GradMode.disabled(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Anchor a : anchors) {
                sum += a.parameter().getArray().sub(a.global()).square().sum()
                        .toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
            }
        }
        return sum;
    }

    /** Frees the copy of the global values. */
    @Override
    public void close() {
        if (manager != null) {
            manager.close();
        }
        anchors.clear();
    }
}
