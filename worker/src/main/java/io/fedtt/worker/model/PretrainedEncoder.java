package io.fedtt.worker.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import io.fedtt.core.tensor.Tensor;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.bert.BertEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A pretrained BERT-family encoder with its tokenizer, loaded once per process from a Hugging Face
 * model directory. Owns the NDManager that holds the weights.
 */
public final class PretrainedEncoder implements AutoCloseable {

    private final NDManager manager;
    private final BertEncoder encoder;
    private final TextTokenizer tokenizer;
    private final PretrainedWeights.LoadReport report;

    private PretrainedEncoder(NDManager manager, BertEncoder encoder, TextTokenizer tokenizer,
            PretrainedWeights.LoadReport report) {
        this.manager = manager;
        this.encoder = encoder;
        this.tokenizer = tokenizer;
        this.report = report;
    }

    public static PretrainedEncoder load(Path hfDir, int maxSequenceLength) throws IOException {
        HfModelDirectory dir = HfModelDirectory.open(hfDir);
        BertConfig config = dir.readConfig();
        Map<String, Tensor> weights = dir.readWeights();
        TextTokenizer tokenizer = TextTokenizer.load(dir.tokenizer(), maxSequenceLength);
        NDManager manager = NDManager.newBaseManager();
        try {
            Built built = build(config, weights, manager, dir.weights().toString());
            return new PretrainedEncoder(manager, built.encoder(), tokenizer, built.report());
        } catch (RuntimeException e) {
            manager.close();
            tokenizer.close();
            throw e;
        }
    }

    /** Builds an encoder for {@code config} on {@code manager} and loads {@code weights} into it by name. */
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

    public BertEncoder encoder() {
        return encoder;
    }

    public BertConfig config() {
        return encoder.config();
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

    /** last_hidden_state [B,T,H] for a batch, inference mode, in a sub-manager the caller closes. */
    public NDList forward(NDManager scope, TokenBatch batch) {
        ParameterStore ps = new ParameterStore(scope, false);
        // autograd is per thread and on by default in threads other than the engine's first
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return encoder.forward(ps, batch.toNDList(scope), false);
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
