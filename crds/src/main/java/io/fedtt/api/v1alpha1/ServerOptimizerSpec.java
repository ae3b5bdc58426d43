package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fedtt.core.job.JobDefaults;

/**
 * The server optimizer of adaptive federated optimization (Reddi et al.): how the coordinator steps
 * from the global adapter towards the aggregate of a round's updates. Without this object the
 * aggregate becomes the next global (FedAvg).
 */
@ValidationRule(value = "!has(self.learningRate) || (has(self.type) && self.type != 'fedavg')", message = "learningRate applies only to type fedavgm, fedadam or fedyogi", fieldPath = ".learningRate")
@ValidationRule(value = "!has(self.beta1) || (has(self.type) && self.type != 'fedavg')", message = "beta1 applies only to type fedavgm, fedadam or fedyogi", fieldPath = ".beta1")
@ValidationRule(value = "!has(self.beta2) || (has(self.type) && (self.type == 'fedadam' || self.type == 'fedyogi'))", message = "beta2 applies only to type fedadam or fedyogi", fieldPath = ".beta2")
@ValidationRule(value = "!has(self.tau) || (has(self.type) && (self.type == 'fedadam' || self.type == 'fedyogi'))", message = "tau applies only to type fedadam or fedyogi", fieldPath = ".tau")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServerOptimizerSpec extends ValueObject {

  @JsonPropertyDescription("With delta = aggregate - global per trainable tensor (the aggregate is what spec.method.aggregation's rule produced): "
      + "fedavg: the aggregate is the next global; fedavgm: m = beta1 m + delta, global + learningRate m; "
      + "fedadam: m = beta1 m + (1 - beta1) delta, v = beta2 v + (1 - beta2) delta^2, global + learningRate m / (sqrt(v) + tau); "
      + "fedyogi: as fedadam with v = v - (1 - beta2) delta^2 sign(v - delta^2). "
      + "Moments start at zero, are kept per tensor by the coordinator (saved with its snapshot, so a restart resumes them), "
      + "and a tensor frozen by FedTT+ in a round takes no step and keeps its moments.")
  @Default(JobDefaults.SERVER_OPTIMIZER)
  private ServerOptimizerType type;

  @JsonPropertyDescription("Server learning rate eta; default " + JobDefaults.SERVER_LEARNING_RATE_MOMENTUM_TEXT + " for fedavgm (with beta1 0 that is fedavg), "
      + JobDefaults.SERVER_LEARNING_RATE_ADAPTIVE_TEXT + " for fedadam and fedyogi.")
  @Min(value = 0, inclusive = false)
  private Double learningRate;

  @JsonPropertyDescription("Decay of the first moment (fedavgm's momentum), in [0, 1); default " + JobDefaults.SERVER_BETA1_TEXT + ".")
  @Min(0)
  @Max(value = 1, inclusive = false)
  private Double beta1;

  @JsonPropertyDescription("Decay of the second moment (fedadam, fedyogi), in [0, 1); default " + JobDefaults.SERVER_BETA2_TEXT + ".")
  @Min(0)
  @Max(value = 1, inclusive = false)
  private Double beta2;

  @JsonPropertyDescription("Adaptivity of fedadam and fedyogi, added to sqrt(v) so that tensors with tiny updates do not take huge steps; default " + JobDefaults.SERVER_TAU_TEXT + ".")
  @Min(value = 0, inclusive = false)
  private Double tau;

  public ServerOptimizerType getType() {
    return type;
  }

  public void setType(ServerOptimizerType type) {
    this.type = type;
  }

  public Double getLearningRate() {
    return learningRate;
  }

  public void setLearningRate(Double learningRate) {
    this.learningRate = learningRate;
  }

  public Double getBeta1() {
    return beta1;
  }

  public void setBeta1(Double beta1) {
    this.beta1 = beta1;
  }

  public Double getBeta2() {
    return beta2;
  }

  public void setBeta2(Double beta2) {
    this.beta2 = beta2;
  }

  public Double getTau() {
    return tau;
  }

  public void setTau(Double tau) {
    this.tau = tau;
  }
}
