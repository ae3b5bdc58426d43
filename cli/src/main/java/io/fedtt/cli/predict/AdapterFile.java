package io.fedtt.cli.predict;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.cli.simulate.AdapterMetadata;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.job.JobDefaults;
import io.fedtt.core.job.JobDescription;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.SafetensorsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An adapter a job produced, and what {@code fedtt predict} needs to rebuild its layout on the base
 * model: the adapter configuration, the labels (their number sizes the head; none for a causal LM),
 * the truncation length and the model it was trained on.
 *
 * <p>{@code fedtt simulate} writes all of that into the file's metadata ({@link AdapterMetadata}). The
 * adapter the operator writes to {@code spec.output} is the coordinator's global adapter as it went over
 * the wire: its metadata says only the adapter type ({@code fedtt.adapter.type}), so the description
 * then comes from the job's manifest ({@code --manifest}).
 *
 * @param modelUri          the base model the job trained on; null when not known
 * @param labels            class names in index order; empty: no classification head
 * @param task              {@code spec.model.task} when known (sequence-classification or causal-lm), else null
 * @param maxSequenceLength the job's truncation length when known, else null
 */
record AdapterFile(Path path, AdapterState state, AdapterConfig adapter, List<String> labels, String modelUri,
                   Integer maxSequenceLength, String task) {

    static final String CLASSIFICATION = JobDescription.TASK_SEQUENCE_CLASSIFICATION;

    /** True when the adapter has a classification head to predict labels with. */
    boolean classifies() {
        return !labels.isEmpty() && (task == null || task.equals(CLASSIFICATION));
    }

    /** The tensors only; the description comes from their own metadata or a manifest. */
    static AdapterState readState(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw PredictException.invalid("--adapter " + path + ": no such file");
        } catch (IOException e) {
            throw PredictException.invalid("--adapter " + path + ": cannot read: " + e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw PredictException.invalid("--adapter " + path + ": too large to read (" + e.getMessage() + ")");
        }
        try {
            return SafetensorsCodec.decode(bytes, SafetensorsCodec.Limits.defaults().withMaxBytes(Integer.MAX_VALUE - 8));
        } catch (SafetensorsException | IllegalArgumentException e) {
            throw PredictException.invalid("--adapter " + path + ": not a readable safetensors adapter: " + e.getMessage(), e);
        }
    }

    /** The adapter as its own metadata describes it (what fedtt simulate writes). */
    static AdapterFile fromMetadata(Path path, AdapterState state) {
        Map<String, String> m = state.metadata();
        if (!m.containsKey(AdapterMetadata.ADAPTER)) {
            String type = m.get(io.fedtt.core.adapter.AdapterInitializer.ADAPTER_TYPE);
            throw PredictException.invalid("--adapter " + path + ": its metadata does not describe the adapter (no "
                    + AdapterMetadata.ADAPTER + (type == null ? "" : "; it says only type " + type)
                    + ", as in the adapter the operator writes to spec.output): give the job's manifest with"
                    + " --manifest FILE.yaml");
        }
        try {
            AdapterConfig config = AdapterMetadata.adapterConfig(m);
            List<String> labels = m.containsKey(AdapterMetadata.LABELS) ? AdapterMetadata.labels(m) : List.of();
            Integer maxLength = null;
            String length = m.get(AdapterMetadata.MAX_SEQUENCE_LENGTH);
            if (length != null) {
                try {
                    maxLength = Integer.valueOf(length.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(AdapterMetadata.MAX_SEQUENCE_LENGTH + " is not an integer: "
                            + length);
                }
            }
            return new AdapterFile(path, state, config, labels, m.get(AdapterMetadata.MODEL_URI), maxLength,
                    m.get(AdapterMetadata.TASK));
        } catch (IllegalArgumentException e) {
            throw PredictException.invalid("--adapter " + path + ": metadata: " + e.getMessage(), e);
        }
    }

    /** The adapter as the job's manifest describes it (for an adapter the operator wrote). */
    static AdapterFile fromManifest(Path path, AdapterState state, Path manifest, FederatedFineTuneSpec spec) {
        try {
            var model = spec.getModel();
            return new AdapterFile(path, state, FederationJobMapper.adapterConfig(spec.getAdapter()),
                    List.copyOf(FederationJobMapper.labels(spec)), model.getUri(),
                    model.getMaxSequenceLength() != null ? model.getMaxSequenceLength() : JobDefaults.MAX_SEQUENCE_LENGTH,
                    FederationJobMapper.task(spec).wireName());
        } catch (IllegalArgumentException e) {
            throw PredictException.invalid("--manifest " + manifest + ": " + e.getMessage(), e);
        }
    }
}
