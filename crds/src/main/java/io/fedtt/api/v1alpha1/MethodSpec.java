package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fedtt.core.job.JobDefaults;

/**
 * The federated algorithm.
 */
@ValidationRule(value = "!has(self.freezing) || self.freezing.policy == 'none' || (has(self.algorithm) && self.algorithm == 'FedTTPlus')", message = "a freezing policy other than none needs algorithm FedTTPlus", fieldPath = ".freezing")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MethodSpec extends ValueObject {

  @JsonPropertyDescription("FedTT: every TT core trainable in every round; FedTTPlus: the freezing policy chooses trainable cores per round (cross-silo).")
  @Default("FedTT")
  private Algorithm algorithm;

  @JsonPropertyDescription("Freezing policy for FedTTPlus; FedTTPlus without it uses policy adaptive with its defaults.")
  private FreezingSpec freezing;

  @JsonPropertyDescription("How updates are combined and how much weight one update may claim (robust aggregation: median, trimmedMean, clipNorm; maxExamplesPerUpdate). Unset: fedavg.")
  private AggregationSpec aggregation;

  @JsonPropertyDescription("The server's step from the global adapter towards each round's aggregate (adaptive federated optimization: fedavgm, fedadam, fedyogi); combines with any aggregation rule. Unset: fedavg.")
  private ServerOptimizerSpec serverOptimizer;

  @JsonPropertyDescription("FedProx's proximal term for the clients' local training: each step adds mu (w - w_global) to the gradient of every trainable tensor, "
      + "w_global being the global values the round started from, which keeps non-IID clients from drifting far from the global adapter within a round. "
      + "Frozen tensors (FedTT+) are untouched. Applies to TT, LoRA and full adapters alike; combines with any serverOptimizer. Typical values 0.001 to 0.1; default "
      + JobDefaults.PROXIMAL_MU_TEXT + " (off: plain local training).")
  @Default(JobDefaults.PROXIMAL_MU_TEXT)
  @Min(0)
  private Double proximalMu;

  @JsonPropertyDescription("Logit adjustment for label-skewed participants (Menon et al. 2021; FedLC): each participant trains a classifier on "
      + "logits + tau * log(prior), prior being its own label frequencies (add-one smoothed), so its update no longer pulls the shared head "
      + "towards the classes it happens to hold; predictions use the plain logits. This is tau (0: off). Default "
      + JobDefaults.LOGIT_ADJUSTMENT_CROSS_DEVICE + " for cross-device jobs (spec.devices: small, mostly one-class devices), "
      + JobDefaults.LOGIT_ADJUSTMENT_CROSS_SILO + " for cross-silo jobs; ignored for task causal-lm.")
  @Min(0)
  @Max(10)
  private Double logitAdjustment;

  public Double getLogitAdjustment() {
    return logitAdjustment;
  }

  public void setLogitAdjustment(Double logitAdjustment) {
    this.logitAdjustment = logitAdjustment;
  }

  public Algorithm getAlgorithm() {
    return algorithm;
  }

  public void setAlgorithm(Algorithm algorithm) {
    this.algorithm = algorithm;
  }

  public AggregationSpec getAggregation() {
    return aggregation;
  }

  public void setAggregation(AggregationSpec aggregation) {
    this.aggregation = aggregation;
  }

  public ServerOptimizerSpec getServerOptimizer() {
    return serverOptimizer;
  }

  public void setServerOptimizer(ServerOptimizerSpec serverOptimizer) {
    this.serverOptimizer = serverOptimizer;
  }

  public Double getProximalMu() {
    return proximalMu;
  }

  public void setProximalMu(Double proximalMu) {
    this.proximalMu = proximalMu;
  }

  public FreezingSpec getFreezing() {
    return freezing;
  }

  public void setFreezing(FreezingSpec freezing) {
    this.freezing = freezing;
  }
}
