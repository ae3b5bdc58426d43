package io.fedtt.operator.reconcile;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.adapter.TensorSpec;
import java.util.HashMap;
import java.util.Map;

/**
 * Parameter counts a job's communication is compared with: the exchanged adapter's tensors, and
 * what federated LoRA (rank 8 on query and value, plus the head, as PEFT trains it) and full fine-
 * tuning would exchange per update. Computed once per job from the model's architecture.
 *
 * @param tensorSizes parameters per adapter tensor, to count FedTT+ rounds that send a subset
 */
public record Accounting(long adapterParameters, long loraParameters, long fullParameters,
                         Map<String, Long> tensorSizes) {

  public static final int LORA_RANK = 8;
  static final int F32_BYTES = 4;

  public static Accounting of(FederatedFineTuneSpec spec, ModelConfig model) {
    AdapterLayout layout = FederationJobMapper.layout(spec, model);
    ModelConfig m = model.withNumLabels(spec.getModel().getLabels().size());
    long lora = AdapterLayout.of(m, AdapterConfig.lora(LORA_RANK, AdapterConfig.DEFAULT_LORA_TARGETS)).parameterCount();
    long full = AdapterLayout.of(m, AdapterConfig.full()).parameterCount();
    Map<String, Long> sizes = new HashMap<>();
    for (TensorSpec t : layout.tensors()) {
      long n = 1;
      for (int d : t.shape()) {
        n *= d;
      }
      sizes.put(t.name(), n);
    }
    return new Accounting(layout.parameterCount(), lora, full, Map.copyOf(sizes));
  }

  /** Parameters in an update that carries {@code trainable} tensors. */
  public long parametersOf(Iterable<String> trainable) {
    long n = 0;
    for (String t : trainable) {
      n += tensorSizes.getOrDefault(t, 0L);
    }
    return n;
  }

  /** Bytes of {@code transfers} LoRA-sized F32 transfers. */
  public long loraBytes(long transfers) {
    return transfers * loraParameters * F32_BYTES;
  }

  public long fullBytes(long transfers) {
    return transfers * fullParameters * F32_BYTES;
  }
}
