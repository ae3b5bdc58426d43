package io.fedtt.worker.model;

import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.SafetensorsException;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.checkpoint.SafetensorsCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model in Hugging Face layout: {@code config.json}, {@code model.safetensors} (or its shards and
 * {@code model.safetensors.index.json}) and {@code tokenizer.json} in one directory. BERT-family
 * weights ({@link #readWeights}) are decoded to F32 in Java (BF16 and F16 included) before any
 * NDArray exists: DJL's own safetensors decoder crashes the JVM on BF16. Integer buffers such as
 * {@code position_ids} are dropped ({@link CheckpointBuffers}). LLaMA-family checkpoints are read
 * tensor by tensor ({@link io.fedtt.worker.model.checkpoint.SafetensorsCheckpoint}).
 */
public record HfModelDirectory(Path dir) {

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String TOKENIZER = "tokenizer.json";
    public static final List<String> FILES = List.of(CONFIG, WEIGHTS, TOKENIZER);

    /**
     * The directory, after checking that config.json, tokenizer.json and the weights (model.safetensors,
     * or model.safetensors.index.json with its shards) are there.
     */
    public static HfModelDirectory open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("model directory not found: " + dir);
        }
        for (String f : List.of(CONFIG, TOKENIZER)) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new IOException("model directory " + dir + " has no " + f
                        + " (expected Hugging Face layout: " + String.join(", ", FILES) + ")");
            }
        }
        if (!SafetensorsCheckpoint.present(dir)) {
            throw new IOException("model directory " + dir + " has no " + WEIGHTS + " and no "
                    + SafetensorsCheckpoint.INDEX + " (expected Hugging Face layout: " + String.join(", ", FILES) + ")");
        }
        return new HfModelDirectory(dir);
    }

    public Path config() {
        return dir.resolve(CONFIG);
    }

    public Path weights() {
        return dir.resolve(WEIGHTS);
    }

    public Path tokenizer() {
        return dir.resolve(TOKENIZER);
    }

    public BertConfig readConfig() throws IOException {
        return BertConfig.read(config());
    }

    /** A BERT-family checkpoint (single file; tens of MB) decoded to fp32 tensors. */
    public Map<String, Tensor> readWeights() throws IOException {
        byte[] bytes = CheckpointBuffers.withoutIntegerBuffers(Files.readAllBytes(weights()), weights().toString());
        try {
            return SafetensorsCodec.decode(bytes, SafetensorsCodec.Limits.forModelWeights()).tensors();
        } catch (SafetensorsException e) {
            throw new IOException(weights() + ": " + e.getMessage(), e);
        }
    }
}
