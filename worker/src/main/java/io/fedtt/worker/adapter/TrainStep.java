package io.fedtt.worker.adapter;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One optimization step of an {@link AdapterModel} on a batch: softmax cross-entropy on the
 * logits, backward, and an optimizer update of the trainable tensors only. Frozen parameters get
 * no gradient and are never touched.
 */
public final class TrainStep {

    private final AdapterModel model;
    private final Optimizer optimizer;
    private final Loss loss = Loss.softmaxCrossEntropyLoss();
    private final Map<String, Double> gradientNorms = new LinkedHashMap<>();

    public TrainStep(AdapterModel model, Optimizer optimizer) {
        this.model = model;
        this.optimizer = optimizer;
    }

    /** Runs one step; arrays of the step live in {@code scope}. Returns the batch's mean loss. */
    public float run(NDManager scope, NDList inputs, NDArray labels) {
        ParameterStore ps = new ParameterStore(scope, false);
        float value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.logits(ps, inputs, true);
            NDArray l = loss.evaluate(new NDList(labels), new NDList(logits));
            gc.backward(l);
            value = l.getFloat();
        }
        gradientNorms.clear();
        for (Map.Entry<String, Parameter> e : model.trainableParameters().entrySet()) {
            NDArray weight = e.getValue().getArray();
            try (NDArray grad = weight.getGradient(); NDArray norm = grad.norm()) {
                gradientNorms.put(e.getKey(), (double) norm.getFloat());
                optimizer.update(e.getValue().getId(), weight, grad);
                grad.subi(grad); // PyTorch accumulates gradients; start the next step from zero
            }
        }
        return value;
    }

    /** L2 norm of each trainable tensor's gradient in the last step (diagnostics, tests). */
    public Map<String, Double> lastGradientNorms() {
        return Map.copyOf(gradientNorms);
    }
}
