package io.fedtt.worker.model;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.bert.BertParameterShapes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** A tiny BERT (MiniLM's vocabulary and tokenizer, hidden 8, 2 layers) for fast tests. */
final class TinyBert {

    static BertConfig config(String modelType, int padTokenId) {
        return new BertConfig(modelType, 30522, 8, 2, 2, 16, "gelu", 0.1f, 0.1f, 64, 2, 1e-12f, padTokenId);
    }

    static BertConfig config() {
        return config("bert", 0);
    }

    static Map<String, Tensor> randomWeights(BertConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        BertParameterShapes.of(c).forEach((name, shape) -> {
            Tensor t = Tensor.zeros(shape);
            float[] d = t.data();
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) (r.nextGaussian() * 0.2);
            }
            m.put(name, t);
        });
        return m;
    }

    /** Writes config.json, model.safetensors (in the given dtype) and MiniLM's tokenizer.json. */
    static Path writeDir(Path dir, BertConfig c, Map<String, Tensor> weights, DType dtype) throws IOException {
        Files.createDirectories(dir);
        c.write(dir.resolve(HfModelDirectory.CONFIG));
        Files.write(dir.resolve(HfModelDirectory.WEIGHTS), SafetensorsCodec.encode(new AdapterState(weights), dtype));
        try (InputStream in = TinyBert.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2-tokenizer.json")) {
            Files.copy(in, dir.resolve(HfModelDirectory.TOKENIZER));
        }
        return dir;
    }

    private TinyBert() {
    }
}
