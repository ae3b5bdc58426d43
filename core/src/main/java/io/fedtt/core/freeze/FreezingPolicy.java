package io.fedtt.core.freeze;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * FedTT+: decides, each round, which tensors of the adapter train and travel. Implementations are
 * pure functions of the round and the energy recorded so far, so a restarted coordinator recomputes
 * the same masks. Tensors that are not TT cores (biases, norms, dense head weights) are always
 * trainable. See {@link FreezingPolicies} for the built-in policies.
 */
public interface FreezingPolicy {

    /**
     * The mask for a round.
     *
     * @param round         1-based round number
     * @param energyHistory energyHistory.get(j) is the per-tensor update energy per parameter of
     *                      round j+1's aggregate (see {@link #updateEnergy}); a missing name means 0.
     *                      Policies that use it need at least the rounds before {@code round}.
     */
    TrainableMask maskFor(int round, List<Map<String, Double>> energyHistory);

    /** The policy's name as written in a manifest (none, fixed, roundRobin, adaptive). */
    String name();

    /**
     * Update energy per parameter of every tensor in {@code after}: sum of squared change divided
     * by the tensor's number of entries. Tensors present only in {@code before} are left out.
     *
     * @throws IllegalArgumentException if a tensor of {@code after} is missing from {@code before}
     *                                  or has another shape
     */
    static Map<String, Double> updateEnergy(AdapterState before, AdapterState after) {
        Map<String, Double> energy = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : after.tensors().entrySet()) {
            String name = e.getKey();
            if (!before.contains(name)) {
                throw new IllegalArgumentException("tensor '" + name + "' is in the new state but not in the old one");
            }
            Tensor a = before.get(name);
            Tensor b = e.getValue();
            if (!a.sameShape(b)) {
                throw new IllegalArgumentException("tensor '" + name + "' changed shape from "
                        + Arrays.toString(a.shape()) + " to " + Arrays.toString(b.shape()));
            }
            float[] x = a.data();
            float[] y = b.data();
            double sum = 0;
            for (int i = 0; i < x.length; i++) {
                double d = (double) y[i] - x[i];
                sum += d * d;
            }
            energy.put(name, x.length == 0 ? 0.0 : sum / x.length);
        }
        return energy;
    }
}
