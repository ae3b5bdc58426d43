package io.fedtt.core.federation;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.adapter.ParameterAccounting;
import io.fedtt.core.tensor.DType;
import java.util.List;

/**
 * The one definition of what a job's communication is compared with: the bytes federated LoRA
 * (rank {@value #LORA_RANK} on query and value, plus the classification head, as PEFT trains it) and
 * full fine-tuning would have exchanged for the same rounds, in F32. A transfer is one adapter-sized
 * message: each participant of a completed round uploads once, each selected one downloads once.
 * Status (operator) and the simulate report both read these figures.
 *
 * @param loraParameters parameters of one LoRA update
 * @param fullParameters parameters of one full-model update
 */
public record CommunicationBaseline(long loraParameters, long fullParameters) {

    public static final int LORA_RANK = 8;
    public static final List<String> LORA_TARGETS = AdapterConfig.DEFAULT_LORA_TARGETS;

    /** The baseline for a model; {@code model} carries the job's label count (its head is counted). */
    public static CommunicationBaseline of(ModelConfig model) {
        return new CommunicationBaseline(ParameterAccounting.lora(model, LORA_RANK, LORA_TARGETS, true).parameters(),
                ParameterAccounting.full(model).parameters());
    }

    /** Adapter-sized transfers of the completed rounds in {@code history}: uploads plus downloads. */
    public static long transfers(List<RoundRecord> history) {
        long n = 0;
        for (RoundRecord r : history) {
            if (r.completed()) {
                n += r.participants().size() + r.selected().size();
            }
        }
        return n;
    }

    /** Bytes LoRA would have sent in {@code transfers} transfers. */
    public long loraBytes(long transfers) {
        return bytes(loraParameters, transfers);
    }

    /** Bytes full fine-tuning would have sent in {@code transfers} transfers. */
    public long fullBytes(long transfers) {
        return bytes(fullParameters, transfers);
    }

    private static long bytes(long parameters, long transfers) {
        return Math.multiplyExact(Math.multiplyExact(parameters, transfers), (long) DType.F32.bytes());
    }
}
