package io.fedtt.worker.model.llama;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Random tiny LLaMA checkpoints written in Hugging Face layout, for tests that need no golden values. */
final class TinyLlama {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TinyLlama() {
    }

    /** hidden 32, 2 layers, 4 heads over 2 KV heads, vocabulary 64. */
    static ObjectNode config(boolean tied) {
        ObjectNode n = JSON.createObjectNode();
        n.putArray("architectures").add("LlamaForCausalLM");
        n.put("model_type", "llama");
        n.put("vocab_size", 64);
        n.put("hidden_size", 32);
        n.put("intermediate_size", 48);
        n.put("num_hidden_layers", 2);
        n.put("num_attention_heads", 4);
        n.put("num_key_value_heads", 2);
        n.put("rms_norm_eps", 1e-5);
        n.put("rope_theta", 10000.0);
        n.put("max_position_embeddings", 128);
        n.put("tie_word_embeddings", tied);
        n.put("hidden_act", "silu");
        return n;
    }

    /** Random weights with every parameter's name and shape. */
    static Map<String, Tensor> weights(LlamaConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        new LlamaModel(c).namedParameters().forEach((name, p) -> {
            long[] s = p.getShape().getShape();
            int[] shape = new int[s.length];
            for (int i = 0; i < s.length; i++) {
                shape[i] = (int) s[i];
            }
            Tensor t = Tensor.zeros(shape);
            float[] d = t.data();
            for (int i = 0; i < d.length; i++) {
                d[i] = name.endsWith("norm.weight") ? 1f + (float) (r.nextGaussian() * 0.1) : (float) (r.nextGaussian() * 0.2);
            }
            out.put(name, t);
        });
        return out;
    }

    static Path write(Path dir, ObjectNode config, Map<String, Tensor> weights, DType dtype) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config));
        Files.write(dir.resolve("model.safetensors"), SafetensorsCodec.encode(new AdapterState(weights), dtype));
        return dir;
    }
}
