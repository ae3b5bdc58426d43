package io.fedtt.worker.model.llama;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.fedtt.worker.model.ModelWeightsException;
import io.fedtt.worker.model.PretrainedWeights;
import io.fedtt.worker.model.WeightPrecision;
import io.fedtt.worker.model.checkpoint.CheckpointInitializer;
import io.fedtt.worker.model.checkpoint.SafetensorsCheckpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds a {@link LlamaModel} whose parameters take their values straight from a checkpoint, by
 * Hugging Face name, strictly: every parameter must be in the checkpoint with its exact shape, and
 * every checkpoint tensor must be a parameter or a known extra (a tied {@code lm_head}, a task head
 * such as {@code score.weight}, rotary buffers), which the report lists as ignored.
 */
public final class LlamaWeights {

    private LlamaWeights() {
    }

    /** A model and what loading it did. */
    public record Built(LlamaModel model, PretrainedWeights.LoadReport report) {
    }

    public static Built load(LlamaConfig config, SafetensorsCheckpoint checkpoint, NDManager manager,
            WeightPrecision precision) {
        LlamaModel model = new LlamaModel(config);
        Map<String, Parameter> params = model.namedParameters();
        List<String> problems = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (String name : new TreeSet<>(checkpoint.names())) {
            if (params.containsKey(name)) {
                continue;
            }
            if (isKnownExtra(name, config)) {
                ignored.add(name);
            } else {
                problems.add("unexpected tensor '" + name + "' "
                        + Arrays.toString(checkpoint.locate(name).entry().shape()));
            }
        }
        long count = 0;
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            SafetensorsCheckpoint.Located at = checkpoint.locate(e.getKey());
            long[] expected = e.getValue().getShape().getShape();
            if (at == null) {
                problems.add("missing tensor '" + e.getKey() + "' (expected shape " + Arrays.toString(expected) + ")");
                continue;
            }
            long[] found = Arrays.stream(at.entry().shape()).asLongStream().toArray();
            if (!Arrays.equals(expected, found)) {
                problems.add("tensor '" + e.getKey() + "' has shape " + Arrays.toString(found) + ", expected "
                        + Arrays.toString(expected));
                continue;
            }
            DataType file = SafetensorsCheckpoint.dataType(at.entry().dtype());
            e.getValue().setInitializer(new CheckpointInitializer(checkpoint, e.getKey(),
                    precision.storage(file, expected.length)));
            count += at.entry().numel();
        }
        if (!problems.isEmpty()) {
            throw new ModelWeightsException(checkpoint.dir().toString(), problems);
        }
        model.initialize(manager, 1, 8);
        for (Parameter p : params.values()) {
            p.freeze(true);
        }
        return new Built(model, new PretrainedWeights.LoadReport(params.size(), count, List.copyOf(ignored)));
    }

    private static boolean isKnownExtra(String name, LlamaConfig config) {
        return (config.tieWordEmbeddings() && name.equals("lm_head.weight"))
                || name.equals("score.weight")
                || name.endsWith(".rotary_emb.inv_freq");
    }
}
