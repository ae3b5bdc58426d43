package io.fedtt.core.adapter;

import io.fedtt.core.wire.Encoding;
import java.util.List;

/**
 * What the same schedule would have sent with the usual alternatives to a TT adapter: federated
 * LoRA (rank 8 on query and value, plus the dense classification head, as PEFT trains it for
 * sequence classification) and full fine-tuning, both in the run's own {@link Encoding} (so that a
 * float16 or int8 run is compared with LoRA in float16 or int8: like for like). The one definition behind the
 * operator's status ({@code loraEquivalentBytes}, {@code fullModelBytes}) and {@code fedtt simulate}'s
 * closing figures, so the two can never tell different stories about the same run.
 *
 * <p>A "transfer" is one update uploaded or one global adapter downloaded; a round of U uploads and
 * D downloads makes U + D transfers, each of the whole LoRA (or full) parameter set.
 *
 * @param loraParameters parameters of one federated-LoRA update
 * @param fullParameters parameters of one full fine-tuning update
 * @param encoding how the values would travel: values x bytes per value, int8's scales included
 *     (one per {@link Encoding#INT8_BLOCK} values)
 */
public record CommunicationBaseline(long loraParameters, long fullParameters, Encoding encoding) {

    public static final int LORA_RANK = 8;
    public static final List<String> LORA_TARGETS = List.of("query", "value");

    public CommunicationBaseline {
        if (loraParameters < 0 || fullParameters < 0) {
            throw new IllegalArgumentException("parameter counts must be >= 0");
        }
        encoding = encoding == null ? Encoding.FLOAT32 : encoding;
    }

    /** In float32. */
    public CommunicationBaseline(long loraParameters, long fullParameters) {
        this(loraParameters, fullParameters, Encoding.FLOAT32);
    }

    /** The float32 baseline for {@code model}; give it its classification labels so the head is counted. */
    public static CommunicationBaseline of(ModelConfig model) {
        return of(model, Encoding.FLOAT32);
    }

    /** The baseline for {@code model} in the run's {@code encoding}. */
    public static CommunicationBaseline of(ModelConfig model, Encoding encoding) {
        return new CommunicationBaseline(ParameterAccounting.lora(model, LORA_RANK, LORA_TARGETS, true).parameters(),
                ParameterAccounting.full(model).parameters(), encoding);
    }

    /** Bytes federated LoRA would have sent in {@code transfers} transfers. */
    public long loraBytes(long transfers) {
        return bytes(loraParameters, transfers);
    }

    /** Bytes full fine-tuning would have sent in {@code transfers} transfers. */
    public long fullBytes(long transfers) {
        return bytes(fullParameters, transfers);
    }

    private long bytes(long parameters, long transfers) {
        if (transfers < 0) {
            throw new IllegalArgumentException("transfers must be >= 0, got " + transfers);
        }
        return Math.multiplyExact(encoding.bytesFor(parameters), transfers);
    }
}
