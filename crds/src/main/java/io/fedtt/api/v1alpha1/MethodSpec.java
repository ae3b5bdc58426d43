package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

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

  public FreezingSpec getFreezing() {
    return freezing;
  }

  public void setFreezing(FreezingSpec freezing) {
    this.freezing = freezing;
  }
}
