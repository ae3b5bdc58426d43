package io.fedtt.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.fedtt.worker.nn.IndexEmbedding;
import io.fedtt.worker.nn.NamedParameters;
import io.fedtt.worker.nn.ParameterNames;
import java.util.Map;

/**
 * Word + position + token-type embeddings, LayerNorm, dropout (Hugging Face BertEmbeddings /
 * RobertaEmbeddings). Input: (input_ids [B,T], token_type_ids [B,T]); output [B,T,H].
 */
public final class BertEmbeddings extends AbstractBlock implements NamedParameters {

    private final BertConfig config;
    private final IndexEmbedding words;
    private final IndexEmbedding positions;
    private final IndexEmbedding tokenTypes;
    private final LayerNorm norm;
    private final Dropout dropout;

    public BertEmbeddings(BertConfig config) {
        this.config = config;
        words = addChildBlock("word_embeddings", new IndexEmbedding(config.vocabSize(), config.hiddenSize()));
        positions = addChildBlock("position_embeddings",
                new IndexEmbedding(config.maxPositionEmbeddings(), config.hiddenSize()));
        tokenTypes = addChildBlock("token_type_embeddings",
                new IndexEmbedding(config.typeVocabSize(), config.hiddenSize()));
        norm = addChildBlock("LayerNorm", LayerNorm.builder().axis(2).optEpsilon(config.layerNormEps()).build());
        dropout = addChildBlock("dropout", Dropout.builder().optRate(config.hiddenDropoutProb()).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray types = inputs.get(1);
        NDArray x = words.forward(ps, new NDList(ids), training).singletonOrThrow()
                .add(tokenTypes.forward(ps, new NDList(types), training).singletonOrThrow())
                .add(positions.forward(ps, new NDList(positionIds(ids)), training).singletonOrThrow());
        x = norm.forward(ps, new NDList(x), training).singletonOrThrow();
        return dropout.forward(ps, new NDList(x), training);
    }

    /**
     * BERT: 0..T-1 for every row. RoBERTa: padding tokens get padding_idx, real tokens count up
     * from padding_idx + 1 (Hugging Face create_position_ids_from_input_ids).
     */
    NDArray positionIds(NDArray ids) {
        long seq = ids.getShape().get(1);
        if (config.roberta()) {
            long last = seq + config.padTokenId();
            if (last >= config.maxPositionEmbeddings()) {
                throw new IllegalArgumentException("sequence length " + seq + " needs position " + last
                        + " but max_position_embeddings is " + config.maxPositionEmbeddings());
            }
            NDArray real = ids.neq(config.padTokenId()).toType(DataType.INT64, false);
            return real.cumSum(1).mul(real).add(config.padTokenId());
        }
        if (seq > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("sequence length " + seq + " exceeds max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        return ids.getManager().arange(0L, seq, 1L, DataType.INT64).expandDims(0);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape ids = inputShapes[0];
        words.initialize(manager, dataType, ids);
        positions.initialize(manager, dataType, ids);
        tokenTypes.initialize(manager, dataType, ids);
        Shape hidden = ids.add(config.hiddenSize());
        norm.initialize(manager, dataType, hidden);
        dropout.initialize(manager, dataType, hidden);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.hiddenSize())};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        words.collectParameters(prefix + "word_embeddings.", out);
        positions.collectParameters(prefix + "position_embeddings.", out);
        tokenTypes.collectParameters(prefix + "token_type_embeddings.", out);
        ParameterNames.layerNorm(prefix + "LayerNorm.", norm, out);
    }
}
