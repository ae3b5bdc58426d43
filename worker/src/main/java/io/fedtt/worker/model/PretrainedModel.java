package io.fedtt.worker.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.model.HfConfig;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.bert.BertEncoder;
import io.fedtt.worker.model.checkpoint.SafetensorsCheckpoint;
import io.fedtt.worker.model.llama.LlamaConfig;
import io.fedtt.worker.model.llama.LlamaWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A pretrained transformer with its tokenizer, loaded once per process from a Hugging Face model
 * directory: a BERT-family encoder or a LLaMA-family decoder, chosen from config.json. Owns the
 * NDManager that holds the weights.
 */
public final class PretrainedModel implements AutoCloseable {

    private final NDManager manager;
    private final Backbone backbone;
    private final TextTokenizer tokenizer;
    private final PretrainedWeights.LoadReport report;

    private PretrainedModel(NDManager manager, Backbone backbone, TextTokenizer tokenizer,
            PretrainedWeights.LoadReport report) {
        this.manager = manager;
        this.backbone = backbone;
        this.tokenizer = tokenizer;
        this.report = report;
    }

    public static PretrainedModel load(Path hfDir, int maxSequenceLength) throws IOException {
        return load(hfDir, maxSequenceLength, WeightPrecision.AUTO);
    }

    /**
     * @param precision how LLaMA-family base matrices are stored (BERT-family weights are small and
     *     always fp32)
     */
    public static PretrainedModel load(Path hfDir, int maxSequenceLength, WeightPrecision precision)
            throws IOException {
        HfModelDirectory dir = HfModelDirectory.open(hfDir);
        ModelConfig.Family family = HfConfig.family(dir.config());
        TextTokenizer tokenizer = TextTokenizer.load(dir.tokenizer(), maxSequenceLength);
        NDManager manager = NDManager.newBaseManager();
        try {
            if (family == ModelConfig.Family.LLAMA) {
                LlamaWeights.Built built = LlamaWeights.load(LlamaConfig.read(dir.config()),
                        SafetensorsCheckpoint.open(hfDir), manager, precision);
                return new PretrainedModel(manager, built.model(), tokenizer, built.report());
            }
            BertConfig config = dir.readConfig();
            Map<String, Tensor> weights = dir.readWeights();
            Built built = build(config, weights, manager, dir.weights().toString());
            return new PretrainedModel(manager, built.encoder(), tokenizer, built.report());
        } catch (IOException | RuntimeException e) {
            manager.close();
            tokenizer.close();
            throw e;
        }
    }

    /** Builds a BERT encoder for {@code config} on {@code manager} and loads {@code weights} into it by name. */
    public static Built build(BertConfig config, Map<String, Tensor> weights, NDManager manager, String source) {
        BertEncoder encoder = new BertEncoder(config);
        // Values come from the checkpoint; skip drawing random numbers for 10^7+ parameters.
        encoder.setInitializer(new ConstantInitializer(0f), p -> true);
        encoder.initialize(manager, 1, 8);
        Map<String, Parameter> params = encoder.namedParameters();
        PretrainedWeights.LoadReport report = PretrainedWeights.load(params, weights, source);
        return new Built(encoder, report);
    }

    /** An encoder with its pretrained weights in place, and what the load did. */
    public record Built(BertEncoder encoder, PretrainedWeights.LoadReport report) {
    }

    public Backbone backbone() {
        return backbone;
    }

    /** The core's description of the loaded model (no labels). */
    public ModelConfig config() {
        return backbone.modelConfig(0);
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public NDManager manager() {
        return manager;
    }

    public PretrainedWeights.LoadReport loadReport() {
        return report;
    }

    /** Hidden states [B,T,H] for a batch, inference mode, in a sub-manager the caller closes. */
    public NDList forward(NDManager scope, TokenBatch batch) {
        ParameterStore ps = new ParameterStore(scope, false);
        // autograd is per thread and on by default in threads other than the engine's first
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return backbone.forward(ps, batch.toNDList(scope), false);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    public NDList forward(NDManager scope, List<String> texts) {
        return forward(scope, tokenizer.encode(texts));
    }

    @Override
    public void close() {
        tokenizer.close();
        manager.close();
    }
}
