package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fedtt.core.job.JobDefaults;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * FedTT+ freezing: which TT cores are trainable (and exchanged) in each round. Frozen cores keep
 * their last global value on every silo.
 */
@ValidationRule(value = "self.policy == 'fixed' || !has(self.cores)", message = "cores applies only to policy fixed", fieldPath = ".cores")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FreezingSpec extends ValueObject {

  @JsonPropertyDescription("none: all cores trainable; fixed: the listed cores (default: the largest core of each TT layer); roundRobin: one core per TT layer, rotating each round; adaptive: after warmupRounds with all cores trainable, the budget cores per TT layer whose updates carried the most energy per parameter over the last window rounds, re-chosen every few rounds.")
  @Required
  private FreezingPolicyName policy;

  @JsonPropertyDescription("0-based indices of the cores kept trainable in every TT layer (policy fixed).")
  @Size(min = 1, max = 16)
  private List<@Min(0) @Max(15) Integer> cores;

  @JsonPropertyDescription("Trainable cores per TT layer (policy adaptive).")
  @Default(JobDefaults.FREEZING_BUDGET_TEXT)
  @Min(1)
  @Max(16)
  private Integer budget;

  @JsonPropertyDescription("Rounds with every core trainable before adaptive freezing starts (policy adaptive).")
  @Default(JobDefaults.FREEZING_WARMUP_ROUNDS_TEXT)
  @Min(0)
  private Integer warmupRounds;

  @JsonPropertyDescription("Re-choose the trainable cores every this many rounds (policy adaptive).")
  @Default(JobDefaults.FREEZING_EVERY_TEXT)
  @Min(1)
  private Integer every;

  @JsonPropertyDescription("Number of recent rounds whose update energy is compared (policy adaptive).")
  @Default(JobDefaults.FREEZING_WINDOW_TEXT)
  @Min(1)
  private Integer window;

  public FreezingPolicyName getPolicy() {
    return policy;
  }

  public void setPolicy(FreezingPolicyName policy) {
    this.policy = policy;
  }

  public List<Integer> getCores() {
    return cores;
  }

  public void setCores(List<Integer> cores) {
    this.cores = cores;
  }

  public Integer getBudget() {
    return budget;
  }

  public void setBudget(Integer budget) {
    this.budget = budget;
  }

  public Integer getWarmupRounds() {
    return warmupRounds;
  }

  public void setWarmupRounds(Integer warmupRounds) {
    this.warmupRounds = warmupRounds;
  }

  public Integer getEvery() {
    return every;
  }

  public void setEvery(Integer every) {
    this.every = every;
  }

  public Integer getWindow() {
    return window;
  }

  public void setWindow(Integer window) {
    this.window = window;
  }
}
