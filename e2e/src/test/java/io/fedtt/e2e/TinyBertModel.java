package io.fedtt.e2e;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.model.HfModelDirectory;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.bert.BertParameterShapes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A tiny BERT in Hugging Face layout, for a {@code file:} model a worker loads in a fraction of a
 * second: random weights (BERT's N(0, 0.02) init, LayerNorms at identity), MiniLM's vocabulary so
 * that its WordPiece tokenizer.json (in the langchain4j jar the worker depends on) fits.
 */
final class TinyBertModel {

  static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";

  /** hidden 32, 2 layers, 2 heads, FFN 64, MiniLM's 30,522 tokens, 512 positions, 2 token types. */
  static BertConfig config() {
    return new BertConfig("bert", 30522, 32, 2, 2, 64, "gelu", 0.1f, 0.1f, 512, 2, 1e-12f, 0);
  }

  static Path write(Path dir, BertConfig c, long seed) throws IOException {
    Files.createDirectories(dir);
    c.write(dir.resolve(HfModelDirectory.CONFIG));
    Random random = new Random(seed);
    Map<String, Tensor> weights = new TreeMap<>();
    BertParameterShapes.of(c).forEach((name, shape) -> {
      Tensor t = Tensor.zeros(shape);
      float[] d = t.data();
      boolean norm = name.contains("LayerNorm");
      for (int i = 0; i < d.length; i++) {
        d[i] = norm ? (name.endsWith("weight") ? 1f : 0f) : (float) (random.nextGaussian() * 0.02);
      }
      weights.put(name, t);
    });
    Files.write(dir.resolve(HfModelDirectory.WEIGHTS), SafetensorsCodec.encode(new AdapterState(weights), DType.F32));
    try (InputStream in = TinyBertModel.class.getClassLoader().getResourceAsStream(TOKENIZER_RESOURCE)) {
      if (in == null) {
        throw new IOException(TOKENIZER_RESOURCE + " is not on the classpath (the worker's langchain4j MiniLM jar)");
      }
      Files.copy(in, dir.resolve(HfModelDirectory.TOKENIZER));
    }
    return dir;
  }

  private TinyBertModel() {
  }
}
