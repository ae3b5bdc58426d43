package io.fedtt.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.fedtt.core.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Copies pretrained tensors into a model's parameters by Hugging Face name, strictly: a missing,
 * unexpected or mis-shaped tensor is an error naming the tensor and the expected and found shape.
 * Checkpoint conventions handled: a task-model prefix ({@code bert.}, {@code roberta.}), old
 * {@code LayerNorm.gamma/beta} names, and known non-encoder parts (pooler, task heads, buffers),
 * which are listed in the result as ignored.
 */
public final class PretrainedWeights {

    private static final List<String> MODEL_PREFIXES = List.of("bert.", "roberta.", "model.");
    private static final List<String> IGNORED_PREFIXES =
            List.of("pooler.", "cls.", "lm_head.", "classifier.", "qa_outputs.");
    private static final Set<String> IGNORED_NAMES = Set.of("embeddings.position_ids");

    /** What a load did: how many tensors were copied, and which checkpoint tensors were skipped on purpose. */
    public record LoadReport(int loaded, long parameters, List<String> ignored) {
    }

    private PretrainedWeights() {
    }

    /**
     * Loads {@code tensors} into {@code parameters} (name -> initialized parameter). The target
     * names must be exactly covered. {@code source} names the file in error messages.
     */
    public static LoadReport load(Map<String, Parameter> parameters, Map<String, Tensor> tensors, String source) {
        Map<String, Tensor> named = normalize(tensors);
        List<String> ignored = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String name : new TreeSet<>(named.keySet())) {
            if (!parameters.containsKey(name)) {
                if (isIgnored(name)) {
                    ignored.add(name);
                } else {
                    problems.add("unexpected tensor '" + name + "' " + Arrays.toString(named.get(name).shape()));
                }
            }
        }
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            Tensor t = named.get(e.getKey());
            long[] expected = e.getValue().getArray().getShape().getShape();
            if (t == null) {
                problems.add("missing tensor '" + e.getKey() + "' (expected shape " + Arrays.toString(expected) + ")");
            } else if (!Arrays.equals(expected, Arrays.stream(t.shape()).asLongStream().toArray())) {
                problems.add("tensor '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(expected));
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelWeightsException(source, problems);
        }
        long count = 0;
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray array = e.getValue().getArray();
            array.set(FloatBuffer.wrap(named.get(e.getKey()).data()));
            count += array.size();
        }
        return new LoadReport(parameters.size(), count, List.copyOf(ignored));
    }

    /** Strips a common task-model prefix and renames legacy LayerNorm gamma/beta. */
    static Map<String, Tensor> normalize(Map<String, Tensor> tensors) {
        String prefix = "";
        for (String p : MODEL_PREFIXES) {
            if (tensors.containsKey(p + "embeddings.word_embeddings.weight")) {
                prefix = p;
                break;
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (!prefix.isEmpty() && name.startsWith(prefix)) {
                name = name.substring(prefix.length());
            }
            if (name.endsWith(".LayerNorm.gamma")) {
                name = name.substring(0, name.length() - "gamma".length()) + "weight";
            } else if (name.endsWith(".LayerNorm.beta")) {
                name = name.substring(0, name.length() - "beta".length()) + "bias";
            }
            if (out.put(name, e.getValue()) != null) {
                throw new ModelWeightsException("checkpoint", List.of("two tensors map to the name '" + name + "'"));
            }
        }
        return out;
    }

    private static boolean isIgnored(String name) {
        return IGNORED_NAMES.contains(name) || IGNORED_PREFIXES.stream().anyMatch(name::startsWith);
    }
}
