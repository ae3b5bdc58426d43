package io.fedtt.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.fedtt.core.adapter.AdapterInitializer;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.tensor.AdapterState;
import io.fedtt.worker.adapter.AdapterModel;
import io.fedtt.worker.adapter.ClassificationHead;
import io.fedtt.worker.model.PretrainedModel;
import io.fedtt.worker.model.TextTokenizer;
import io.fedtt.worker.model.llama.GreedyDecoder;
import io.fedtt.worker.model.llama.LlamaModel;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The real model: a pretrained transformer with the layout's TT or LoRA adapters, and a head when
 * the layout has labels (classification); without labels, a LLaMA-family decoder is a causal
 * language model.
 */
public final class AdaptedModel implements TrainableModel {

    /**
     * Mean pooling: the built-in MiniLM is a sentence-transformers model trained to mean-pool, so
     * its mean embedding is already a good sentence feature on the first step.
     */
    public static final ClassificationHead.Pooling POOLING = ClassificationHead.Pooling.MEAN;

    private final AdapterModel model;

    public AdaptedModel(AdapterModel model) {
        if (model.tokenizer() == null) {
            throw new IllegalArgumentException("the adapter model has no tokenizer; attach it to a PretrainedModel");
        }
        this.model = model;
    }

    /** Attaches {@code layout}'s adapters, initialized from {@code seed}, to a loaded base model. */
    public static AdaptedModel attach(PretrainedModel base, AdapterLayout layout, long seed) {
        return new AdaptedModel(AdapterModel.attach(base, layout, AdapterInitializer.initialize(layout, seed), POOLING));
    }

    public AdapterModel model() {
        return model;
    }

    @Override
    public int numLabels() {
        return model.numLabels();
    }

    @Override
    public TextTokenizer tokenizer() {
        return model.tokenizer();
    }

    @Override
    public NDManager manager() {
        return model.manager();
    }

    @Override
    public NDArray logits(ParameterStore ps, NDList inputs, boolean training) {
        if (causalLm()) {
            LlamaModel decoder = decoder();
            NDArray hidden = decoder.forward(ps, inputs, training).singletonOrThrow();
            return decoder.lmLogits(ps, hidden, training);
        }
        return model.logits(ps, inputs, training);
    }

    @Override
    public long eosTokenId() {
        return causalLm() ? decoder().config().eosTokenId() : -1;
    }

    @Override
    public List<long[]> generate(List<long[]> prompts, int maxNewTokens) {
        try (GradMode off = GradMode.disabled()) {
            return new GreedyDecoder(decoder(), model.manager()).generate(prompts, maxNewTokens, eosTokenId());
        }
    }

    private LlamaModel decoder() {
        if (!(model.backbone() instanceof LlamaModel decoder)) {
            throw new IllegalStateException("a model without labels must be a LLaMA-family decoder, not "
                    + model.backbone().family());
        }
        return decoder;
    }

    @Override
    public Map<String, Parameter> parameters() {
        return model.parameters();
    }

    @Override
    public Set<String> adapterNames() {
        return model.adapterNames();
    }

    @Override
    public Set<String> headNames() {
        return model.headNames();
    }

    @Override
    public void load(AdapterState state) {
        model.load(state);
    }

    @Override
    public AdapterState export(Collection<String> names) {
        return model.export(names);
    }
}
