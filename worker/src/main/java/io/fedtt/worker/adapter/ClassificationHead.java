package io.fedtt.worker.adapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.fedtt.worker.nn.NamedParameters;
import io.fedtt.worker.nn.ParameterNames;
import java.util.Map;

/**
 * Sentence classification on top of the encoder (Hugging Face RobertaClassificationHead):
 * pool -> dropout -> dense (a {@link TtLinear} or a dense Linear) -> tanh -> dropout -> out_proj,
 * or, without a dense layer, pool -> dropout -> out_proj. Input: (last_hidden_state [B,T,H],
 * attention_mask [B,T]); output logits [B, labels]. Names: {@code classifier.dense.*},
 * {@code classifier.out_proj.weight/bias}.
 */
public final class ClassificationHead extends AbstractBlock implements NamedParameters {

    /** CLS: the first token (as Hugging Face heads do); MEAN: masked mean over tokens (sentence-transformers). */
    public enum Pooling { CLS, MEAN }

    private final Block dense;
    private final Linear outProj;
    private final Dropout dropout;
    private final Pooling pooling;
    private final int hidden;
    private final int labels;

    /** @param dense a [hidden -> hidden] layer: {@link TtLinear} or a {@link Linear}; null for none */
    public ClassificationHead(Block dense, int hidden, int labels, float dropoutRate, Pooling pooling) {
        this.dense = dense == null ? null : addChildBlock("dense", dense);
        this.outProj = addChildBlock("out_proj", Linear.builder().setUnits(labels).build());
        this.dropout = addChildBlock("dropout", Dropout.builder().optRate(dropoutRate).build());
        this.pooling = pooling;
        this.hidden = hidden;
        this.labels = labels;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray h = inputs.get(0);
        NDArray pooled;
        if (pooling == Pooling.CLS) {
            pooled = h.get(new NDIndex(":, 0, :"));
        } else {
            NDArray mask = inputs.get(1).toType(DataType.FLOAT32, false).expandDims(2);
            pooled = h.mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1}).maximum(1e-9f));
        }
        NDArray x = dropout.forward(ps, new NDList(pooled), training).singletonOrThrow();
        if (dense != null) {
            x = dense.forward(ps, new NDList(x), training).singletonOrThrow().tanh();
            x = dropout.forward(ps, new NDList(x), training).singletonOrThrow();
        }
        return outProj.forward(ps, new NDList(x), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape pooled = new Shape(inputShapes[0].get(0), hidden);
        if (dense != null) {
            dense.initialize(manager, dataType, pooled);
        }
        outProj.initialize(manager, dataType, pooled);
        dropout.initialize(manager, dataType, pooled);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), labels)};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        if (dense != null) {
            ParameterNames.block(prefix + "dense.", dense, out);
        }
        ParameterNames.linear(prefix + "out_proj.", outProj, out);
    }
}
