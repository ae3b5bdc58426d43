package io.fedtt.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.worker.model.Backbone;
import io.fedtt.worker.model.LayerPath;
import io.fedtt.worker.nn.AdaptableLinear;
import io.fedtt.worker.nn.AdapterSlot;
import io.fedtt.worker.nn.LayerScope;
import io.fedtt.worker.nn.ParameterNames;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A BERT-family encoder (BERT, MiniLM, RoBERTa) built from DJL primitives, with Hugging Face
 * parameter names ({@link #namedParameters()}), so Hugging Face checkpoints load by name.
 * Input: (input_ids [B,T], attention_mask [B,T], token_type_ids [B,T] optional), all INT64;
 * output: last_hidden_state [B,T,H].
 */
public final class BertEncoder extends AbstractBlock implements Backbone {

    /** torch.finfo(float32).min, what Hugging Face adds to the scores of padding positions. */
    static final float MASK_VALUE = -3.4028234663852886e38f;

    private static final String LAYER_PREFIX = "encoder.layer.";

    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final List<BertLayer> layers = new ArrayList<>();

    public BertEncoder(BertConfig config) {
        this.config = config;
        embeddings = addChildBlock("embeddings", new BertEmbeddings(config));
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(addChildBlock("layer_" + i, new BertLayer(config)));
        }
    }

    public BertConfig config() {
        return config;
    }

    public BertEmbeddings embeddings() {
        return embeddings;
    }

    public List<BertLayer> layers() {
        return Collections.unmodifiableList(layers);
    }

    public BertLayer layer(int i) {
        return layers.get(i);
    }

    @Override
    public Map<String, Parameter> namedParameters() {
        return ParameterNames.of(this);
    }

    @Override
    public ModelConfig.Family family() {
        return ModelConfig.Family.BERT;
    }

    @Override
    public ModelConfig modelConfig(int numLabels) {
        return config.modelConfig(numLabels);
    }

    /** The two adapter places of FEDTT.md: {@code encoder.layer.N.attention.output.adapter} and {@code ...N.output.adapter}. */
    @Override
    public AdapterSlot adapterSlot(String prefix) {
        LayerPath at = LayerPath.parse(prefix, LAYER_PREFIX, layers.size());
        if (at != null && at.rest().equals("attention.output.adapter")) {
            return layers.get(at.layer()).attentionOutput().adapterSlot();
        }
        if (at != null && at.rest().equals("output.adapter")) {
            return layers.get(at.layer()).output().adapterSlot();
        }
        throw new IllegalArgumentException("no adapter place '" + prefix + "' in this BERT model (expected "
                + LAYER_PREFIX + "N.attention.output.adapter or .output.adapter, N < " + layers.size() + ")");
    }

    @Override
    public AdaptableLinear projection(String module) {
        LayerPath at = LayerPath.parse(module, LAYER_PREFIX, layers.size());
        if (at == null) {
            throw new IllegalArgumentException("no projection '" + module + "' in this BERT model (expected "
                    + LAYER_PREFIX + "N.<path>, N < " + layers.size() + ")");
        }
        return layers.get(at.layer()).projection(at.rest());
    }

    @Override
    public float headDropout() {
        return config.hiddenDropoutProb();
    }

    /** Initializes every parameter for inputs of shape [batch, seq]; values are then loaded by name. */
    public void initialize(NDManager manager, long batch, long seq) {
        Shape ids = new Shape(batch, seq);
        initialize(manager, DataType.FLOAT32, ids, ids, ids);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray mask = inputs.get(1);
        NDArray types = inputs.size() > 2 ? inputs.get(2) : ids.zerosLike();
        NDArray bias = maskBias(mask);
        NDArray h = embeddings.forward(ps, new NDList(ids, types), training).singletonOrThrow();
        for (BertLayer layer : layers) {
            NDList in = new NDList(h, bias);
            h = LayerScope.run(() -> layer.forward(ps, in, training, params));
        }
        return new NDList(h);
    }

    /** [B,T] 1/0 mask -> [B,1,1,T] additive bias: 0 where attended, MASK_VALUE at padding. */
    static NDArray maskBias(NDArray mask) {
        Shape s = mask.getShape();
        return mask.toType(DataType.FLOAT32, false).neg().add(1f).mul(MASK_VALUE).reshape(s.get(0), 1, 1, s.get(1));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape ids = inputShapes[0];
        embeddings.initialize(manager, dataType, ids, ids);
        Shape hidden = ids.add(config.hiddenSize());
        Shape bias = new Shape(ids.get(0), 1, 1, ids.get(1));
        for (BertLayer layer : layers) {
            layer.initialize(manager, dataType, hidden, bias);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.hiddenSize())};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        embeddings.collectParameters(prefix + "embeddings.", out);
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).collectParameters(prefix + "encoder.layer." + i + ".", out);
        }
    }
}
