package io.fedtt.worker.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * A place in a network where an adapter may sit. Empty, it is the identity; with an adapter
 * attached, it runs the adapter. An adapter can be attached after the base model is initialized
 * and loaded: it is then initialized with the input shape this slot saw, on the same manager, so
 * loading pretrained weights never touches it and its own initialization is kept.
 * The host block decides how the slot's output is used (in series, or added in parallel).
 */
public final class AdapterSlot extends AbstractBlock implements NamedParameters {

    private Block adapter;
    private NDManager manager;
    private DataType dataType;

    public boolean isEmpty() {
        return adapter == null;
    }

    public Block adapter() {
        return adapter;
    }

    /** Puts an adapter here; it must map the slot's input shape to the shape its host expects. */
    public void attach(Block block) {
        if (adapter != null) {
            throw new IllegalStateException("slot already holds " + adapter.getClass().getSimpleName());
        }
        adapter = block;
        if (inputShapes != null && !block.isInitialized()) {
            block.initialize(manager, dataType, inputShapes);
        }
    }

    /** Removes and returns the adapter (null when empty); the slot is the identity again. */
    public Block detach() {
        Block b = adapter;
        adapter = null;
        return b;
    }

    @Override
    public BlockList getChildren() {
        BlockList list = new BlockList();
        if (adapter != null) {
            list.add("adapter", adapter);
        }
        return list;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        this.manager = manager;
        this.dataType = dataType;
        if (adapter != null) {
            adapter.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return adapter == null ? inputs : adapter.forward(ps, inputs, training, params);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return adapter == null ? inputShapes : adapter.getOutputShapes(inputShapes);
    }

    /** The adapter's parameters, named by the adapter under the host's prefix. */
    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        if (adapter != null) {
            ParameterNames.block(prefix, adapter, out);
        }
    }
}
