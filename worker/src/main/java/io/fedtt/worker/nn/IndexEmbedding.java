package io.fedtt.worker.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/** A lookup table from integer ids to vectors (PyTorch's nn.Embedding), parameter "weight" [count, dim]. */
public final class IndexEmbedding extends AbstractBlock implements NamedParameters {

    private final int count;
    private final int dim;
    private final Parameter weight;

    public IndexEmbedding(int count, int dim) {
        this.count = count;
        this.dim = dim;
        this.weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(count, dim))
                .build());
    }

    public int count() {
        return count;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.singletonOrThrow();
        NDArray table = ps.getValue(weight, ids.getDevice(), training);
        return Embedding.embedding(ids, table, SparseFormat.DENSE);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(dim)};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        ParameterNames.add(out, prefix + "weight", weight);
    }
}
