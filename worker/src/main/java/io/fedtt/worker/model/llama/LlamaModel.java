package io.fedtt.worker.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.fedtt.worker.nn.Dense;
import io.fedtt.worker.nn.IndexEmbedding;
import io.fedtt.worker.nn.LayerScope;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.worker.model.Backbone;
import io.fedtt.worker.model.LayerPath;
import io.fedtt.worker.nn.AdaptableLinear;
import io.fedtt.worker.nn.AdapterSlot;
import io.fedtt.worker.nn.ParameterNames;
import io.fedtt.worker.nn.Precision;
import io.fedtt.worker.nn.RmsNorm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A LLaMA-family decoder (LLaMA, Mistral, Qwen2) built from DJL primitives with Hugging Face
 * parameter names, so checkpoints load by name: {@code model.embed_tokens.weight},
 * {@code model.layers.N.…}, {@code model.norm.weight} and, unless the embeddings are tied,
 * {@code lm_head.weight}. Input: (input_ids [B,T], attention_mask [B,T]) INT64, right padded (the
 * tokens of every row at positions 0..len-1); output: the final-norm hidden states [B,T,H].
 */
public final class LlamaModel extends AbstractBlock implements Backbone {

    /** torch.finfo(float32).min, what Hugging Face puts at masked attention positions. */
    static final float MASK_VALUE = -3.4028234663852886e38f;

    private static final String LAYER_PREFIX = "model.layers.";

    private final LlamaConfig config;
    private final IndexEmbedding embed;
    private final List<LlamaDecoderLayer> layers = new ArrayList<>();
    private final RmsNorm norm;
    private final Dense lmHead;
    private final RotaryEmbedding rope;

    public LlamaModel(LlamaConfig config) {
        this.config = config;
        embed = addChildBlock("embed_tokens", new IndexEmbedding(config.vocabSize(), config.hiddenSize()));
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(addChildBlock("layer_" + i, new LlamaDecoderLayer(config)));
        }
        norm = addChildBlock("norm", new RmsNorm(config.hiddenSize(), config.rmsNormEps()));
        lmHead = config.tieWordEmbeddings() ? null
                : addChildBlock("lm_head", new Dense(config.hiddenSize(), config.vocabSize(), false));
        rope = new RotaryEmbedding(config);
    }

    public LlamaConfig config() {
        return config;
    }

    public List<LlamaDecoderLayer> layers() {
        return Collections.unmodifiableList(layers);
    }

    public LlamaDecoderLayer layer(int i) {
        return layers.get(i);
    }

    @Override
    public Map<String, Parameter> namedParameters() {
        return ParameterNames.of(this);
    }

    @Override
    public ModelConfig.Family family() {
        return ModelConfig.Family.LLAMA;
    }

    @Override
    public ModelConfig modelConfig(int numLabels) {
        return config.modelConfig().withNumLabels(numLabels);
    }

    /** The three adapter places of FEDTT.md: {@code model.layers.N.mlp.(gate_proj|up_proj).input_adapter}, {@code ...down_proj.output_adapter}. */
    @Override
    public AdapterSlot adapterSlot(String prefix) {
        LayerPath at = LayerPath.parse(prefix, LAYER_PREFIX, layers.size());
        if (at == null || !at.rest().startsWith("mlp.")) {
            throw new IllegalArgumentException("no adapter place '" + prefix + "' in this LLaMA model (expected "
                    + LAYER_PREFIX + "N.mlp.<gate_proj.input_adapter|up_proj.input_adapter|down_proj.output_adapter>, N < "
                    + layers.size() + ")");
        }
        return layers.get(at.layer()).mlp().slot(at.rest().substring("mlp.".length()));
    }

    @Override
    public AdaptableLinear projection(String module) {
        LayerPath at = LayerPath.parse(module, LAYER_PREFIX, layers.size());
        if (at != null && at.rest().startsWith("self_attn.")) {
            return layers.get(at.layer()).attention().projection(at.rest().substring("self_attn.".length()));
        }
        if (at != null && at.rest().startsWith("mlp.")) {
            return layers.get(at.layer()).mlp().projection(at.rest().substring("mlp.".length()));
        }
        throw new IllegalArgumentException("no projection '" + module + "' in this LLaMA model (expected "
                + LAYER_PREFIX + "N.self_attn.<q|k|v|o>_proj or N.mlp.<gate|up|down>_proj, N < " + layers.size() + ")");
    }

    /** LLaMA trains without dropout. */
    @Override
    public float headDropout() {
        return 0f;
    }

    /** Sets up every parameter for inputs of shape [batch, seq] (values come from their initializers). */
    public void initialize(NDManager manager, long batch, long seq) {
        Shape ids = new Shape(batch, seq);
        initialize(manager, DataType.FLOAT32, ids, ids);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray mask = inputs.get(1);
        int length = Math.toIntExact(ids.getShape().get(1));
        NDManager m = ids.getManager();
        NDArray bias = maskBias(m, mask, config.slidingWindow());
        NDList table = rope.table(m, length);
        NDArray h = embed.forward(ps, new NDList(ids), training).singletonOrThrow();
        if (h.getDataType() != DataType.FLOAT32) {
            h = h.toType(DataType.FLOAT32, false); // a 16-bit checkpoint computes in fp32 here
        }
        for (LlamaDecoderLayer layer : layers) {
            NDList in = new NDList(h, bias, table.get(0), table.get(1));
            h = LayerScope.run(() -> layer.forward(ps, in, training, params));
        }
        return norm.forward(ps, new NDList(h), training);
    }

    /**
     * Next-token logits [..., V] for hidden states [..., H] (the tied embedding table when there is no
     * lm_head). The leading dimensions are folded into one first, so the product is a single [N,H]x[H,V]
     * matrix multiply whatever the input's strides: given a view that is not contiguous, such as
     * {@code hidden[:, :-1]} for next-token targets, libtorch's matmul would instead run a batched
     * product against the broadcast weight, forward and backward, which took 1.5-2x as long as one
     * mm for a 32000-word head (bench/llama-step-bench.sh). The reshape copies such a view once.
     */
    public NDArray lmLogits(ParameterStore ps, NDArray hidden, boolean training) {
        Shape s = hidden.getShape();
        int d = s.dimension();
        NDArray flat = d == 2 ? hidden : hidden.reshape(-1, s.get(d - 1));
        NDArray logits;
        if (lmHead != null) {
            logits = lmHead.forward(ps, new NDList(flat), training).singletonOrThrow();
        } else {
            Parameter table = embed.getParameters().get("weight");
            logits = flat.matMul(Precision.like(ps.getValue(table, flat.getDevice(), training), flat).transpose());
        }
        if (d == 2) {
            return logits;
        }
        NDArray shaped = logits.reshape(s.slice(0, d - 1).add(config.vocabSize()));
        new NDList(flat, logits).close(); // the reshaped copy (frozen head: autograd does not keep it) and the 2-D handle
        return shaped;
    }

    /**
     * [B,T] 1/0 padding mask -> [B,1,T,T] additive bias: 0 where query i may attend key j (j <= i, j
     * not padding, and i - j < window when windowed), MASK_VALUE elsewhere.
     */
    static NDArray maskBias(NDManager m, NDArray mask, int window) {
        Shape s = mask.getShape();
        int t = Math.toIntExact(s.get(1));
        float[] allowed = new float[t * t];
        for (int i = 0; i < t; i++) {
            int from = window > 0 ? Math.max(0, i - window + 1) : 0;
            for (int j = from; j <= i; j++) {
                allowed[i * t + j] = 1f;
            }
        }
        NDArray causal = m.create(allowed, new Shape(1, 1, t, t));
        NDArray keys = mask.toType(DataType.FLOAT32, false).reshape(s.get(0), 1, 1, t);
        return causal.mul(keys).neg().add(1f).mul(MASK_VALUE);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape ids = inputShapes[0];
        embed.initialize(manager, dataType, ids);
        Shape hidden = ids.add(config.hiddenSize());
        Shape bias = new Shape(ids.get(0), 1, ids.get(1), ids.get(1));
        Shape table = new Shape(ids.get(1), config.headDim());
        for (LlamaDecoderLayer layer : layers) {
            layer.initialize(manager, dataType, hidden, bias, table, table);
        }
        norm.initialize(manager, dataType, hidden);
        if (lmHead != null) {
            lmHead.initialize(manager, dataType, hidden);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.hiddenSize())};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        embed.collectParameters(prefix + "model.embed_tokens.", out);
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).collectParameters(prefix + "model.layers." + i + ".", out);
        }
        norm.collectParameters(prefix + "model.norm.", out);
        if (lmHead != null) {
            lmHead.collectParameters(prefix + "lm_head.", out);
        }
    }
}
