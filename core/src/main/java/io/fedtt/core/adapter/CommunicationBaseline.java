package io.fedtt.core.adapter;

import io.fedtt.core.tensor.DType;
import java.util.List;

/**
 * What the same schedule would have sent with the usual alternatives to a TT adapter: federated
 * LoRA (rank 8 on query and value, plus the dense classification head, as PEFT trains it for
 * sequence classification) and full fine-tuning, both in F32. The one definition behind the
 * operator's status ({@code loraEquivalentBytes}, {@code fullModelBytes}) and {@code fedtt simulate}'s
 * closing figures, so the two can never tell different stories about the same run.
 *
 * <p>A "transfer" is one update uploaded or one global adapter downloaded; a round of U uploads and
 * D downloads makes U + D transfers, each of the whole LoRA (or full) parameter set.
 *
 * @param loraParameters parameters of one federated-LoRA update
 * @param fullParameters parameters of one full fine-tuning update
 */
public record CommunicationBaseline(long loraParameters, long fullParameters) {

    public static final int LORA_RANK = 8;
    public static final List<String> LORA_TARGETS = List.of("query", "value");
    public static final DType DTYPE = DType.F32;

    public CommunicationBaseline {
        if (loraParameters < 0 || fullParameters < 0) {
            throw new IllegalArgumentException("parameter counts must be >= 0");
        }
    }

    /** The baseline for {@code model}; give it its classification labels so the head is counted. */
    public static CommunicationBaseline of(ModelConfig model) {
        return new CommunicationBaseline(ParameterAccounting.lora(model, LORA_RANK, LORA_TARGETS, true).parameters(),
                ParameterAccounting.full(model).parameters());
    }

    /** Bytes federated LoRA would have sent in {@code transfers} transfers. */
    public long loraBytes(long transfers) {
        return bytes(loraParameters, transfers);
    }

    /** Bytes full fine-tuning would have sent in {@code transfers} transfers. */
    public long fullBytes(long transfers) {
        return bytes(fullParameters, transfers);
    }

    private static long bytes(long parameters, long transfers) {
        if (transfers < 0) {
            throw new IllegalArgumentException("transfers must be >= 0, got " + transfers);
        }
        return Math.multiplyExact(Math.multiplyExact(parameters, (long) DTYPE.bytes()), transfers);
    }
}
