package io.fedtt.operator.reconcile;

import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.CommunicationBaseline;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.adapter.TensorSpec;
import java.util.HashMap;
import java.util.Map;

/**
 * Parameter counts a job's communication is compared with: the exchanged adapter's tensors, and
 * the {@link CommunicationBaseline} (federated LoRA and full fine-tuning, defined once in core and
 * shared with {@code fedtt simulate}). Computed once per job from the model's architecture.
 *
 * @param tensorSizes parameters per adapter tensor, to count FedTT+ rounds that send a subset
 */
public record Accounting(long adapterParameters, Map<String, Long> tensorSizes, CommunicationBaseline baseline) {

  public static Accounting of(FederatedFineTuneSpec spec, ModelConfig model) {
    AdapterLayout layout = FederationJobMapper.layout(spec, model);
    Map<String, Long> sizes = new HashMap<>();
    for (TensorSpec t : layout.tensors()) {
      long n = 1;
      for (int d : t.shape()) {
        n *= d;
      }
      sizes.put(t.name(), n);
    }
    CommunicationBaseline baseline = CommunicationBaseline.of(model.withNumLabels(FederationJobMapper.numLabels(spec)),
        FederationJobMapper.encoding(spec));
    return new Accounting(layout.parameterCount(), Map.copyOf(sizes), baseline);
  }

  /** Parameters in an update that carries {@code trainable} tensors. */
  public long parametersOf(Iterable<String> trainable) {
    long n = 0;
    for (String t : trainable) {
      n += tensorSizes.getOrDefault(t, 0L);
    }
    return n;
  }
}
