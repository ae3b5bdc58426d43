package io.fedtt.worker.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.fedtt.worker.nn.AdaptableLinear;
import io.fedtt.worker.nn.AdapterSlot;
import io.fedtt.worker.nn.NamedParameters;
import java.util.Map;

/**
 * The SwiGLU feed-forward block, down(silu(gate(x)) · up(x)), with the three FedTT adapter places
 * of FEDTT.md: on the input of gate_proj, on the input of up_proj (each its own adapter over the
 * same x) and on the output of down_proj. Empty slots are the identity.
 */
public final class LlamaMlp extends AbstractBlock implements NamedParameters {

    private final int intermediate;
    private final AdaptableLinear gate;
    private final AdaptableLinear up;
    private final AdaptableLinear down;
    private final AdapterSlot gateInput;
    private final AdapterSlot upInput;
    private final AdapterSlot downOutput;

    public LlamaMlp(LlamaConfig c) {
        intermediate = c.intermediateSize();
        gate = addChildBlock("gate_proj", new AdaptableLinear(c.hiddenSize(), intermediate, c.mlpBias()));
        up = addChildBlock("up_proj", new AdaptableLinear(c.hiddenSize(), intermediate, c.mlpBias()));
        down = addChildBlock("down_proj", new AdaptableLinear(intermediate, c.hiddenSize(), c.mlpBias()));
        gateInput = addChildBlock("gate_input_adapter", new AdapterSlot());
        upInput = addChildBlock("up_input_adapter", new AdapterSlot());
        downOutput = addChildBlock("down_output_adapter", new AdapterSlot());
    }

    /** gate_proj, up_proj or down_proj. */
    public AdaptableLinear projection(String name) {
        return switch (name) {
            case "gate_proj" -> gate;
            case "up_proj" -> up;
            case "down_proj" -> down;
            default -> throw new IllegalArgumentException("no MLP projection '" + name
                    + "' (gate_proj, up_proj, down_proj)");
        };
    }

    /** The adapter place named by its layout suffix: gate_proj.input_adapter, up_proj.input_adapter, down_proj.output_adapter. */
    public AdapterSlot slot(String site) {
        return switch (site) {
            case "gate_proj.input_adapter" -> gateInput;
            case "up_proj.input_adapter" -> upInput;
            case "down_proj.output_adapter" -> downOutput;
            default -> throw new IllegalArgumentException("no adapter place '" + site + "' in a LLaMA MLP"
                    + " (gate_proj.input_adapter, up_proj.input_adapter, down_proj.output_adapter)");
        };
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray xg = gateInput.forward(ps, new NDList(x), training).singletonOrThrow();
        NDArray xu = upInput.forward(ps, new NDList(x), training).singletonOrThrow();
        NDArray g = gate.forward(ps, new NDList(xg), training).singletonOrThrow();
        NDArray u = up.forward(ps, new NDList(xu), training).singletonOrThrow();
        NDArray h = g.mul(Activation.sigmoid(g)).mul(u);
        NDArray y = down.forward(ps, new NDList(h), training).singletonOrThrow();
        return downOutput.forward(ps, new NDList(y), training);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape inner = new Shape(x.get(0), x.get(1), intermediate);
        gateInput.initialize(manager, dataType, x);
        upInput.initialize(manager, dataType, x);
        gate.initialize(manager, dataType, x);
        up.initialize(manager, dataType, x);
        down.initialize(manager, dataType, inner);
        downOutput.initialize(manager, dataType, x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public void collectParameters(String prefix, Map<String, Parameter> out) {
        gate.collectParameters(prefix + "gate_proj.", out);
        up.collectParameters(prefix + "up_proj.", out);
        down.collectParameters(prefix + "down_proj.", out);
        gateInput.collectParameters(prefix + "gate_proj.input_adapter.", out);
        upInput.collectParameters(prefix + "up_proj.input_adapter.", out);
        downOutput.collectParameters(prefix + "down_proj.output_adapter.", out);
    }
}
