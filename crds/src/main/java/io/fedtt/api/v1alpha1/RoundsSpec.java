package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fedtt.core.job.JobDefaults;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The training schedule and the stop conditions.
 */
@ValidationRule(value = "has(self.localSteps) != has(self.localEpochs)", message = "set exactly one of localSteps or localEpochs")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RoundsSpec extends ValueObject {

  @JsonPropertyDescription("Number of federated rounds (the job stops earlier when targetAccuracy or patience says so).")
  @Required
  @Min(1)
  @Max(10000)
  private Integer total;

  @JsonPropertyDescription("Optimizer steps each participant runs per round; set this or localEpochs.")
  @Min(1)
  @Max(1000000)
  private Integer localSteps;

  @JsonPropertyDescription("Passes over the participant's data per round; set this or localSteps.")
  @Min(1)
  @Max(1000)
  private Integer localEpochs;

  @JsonPropertyDescription("Examples per optimizer step.")
  @Default(JobDefaults.BATCH_SIZE_TEXT)
  @Min(1)
  @Max(4096)
  private Integer batchSize;

  @JsonPropertyDescription("Peak AdamW learning rate of the local steps. Default by adapter type: tt "
      + JobDefaults.LEARNING_RATE_TT_TEXT + ", lora " + JobDefaults.LEARNING_RATE_LORA_TEXT + ", full "
      + JobDefaults.LEARNING_RATE_FULL_TEXT + " (chosen by the quality suite, BENCHMARKS.md).")
  @Min(value = 0, inclusive = false)
  @Max(1)
  private Double learningRate;

  @JsonPropertyDescription("Peak learning rate of the classification head's tensors (same schedule and decay over the rounds, scaled). Default: learningRate times "
      + JobDefaults.HEAD_LEARNING_RATE_FACTOR_TT_TEXT + " for tt, " + JobDefaults.HEAD_LEARNING_RATE_FACTOR_LORA_TEXT
      + " for lora, 1 for full: a head trained from scratch needs a larger rate than adapters on a pretrained model.")
  @Min(value = 0, inclusive = false)
  @Max(10)
  private Double headLearningRate;

  @JsonPropertyDescription("How the learning rate each round hands out changes over the rounds (each round's local steps still warm up and decay linearly from a fresh AdamW): "
      + "constant: learningRate in every round; cosine: learningRate x (1 + cos(pi (round - 1) / total)) / 2, full in round 1, half at mid-run, a few percent in the last round. "
      + "Default: " + JobDefaults.LEARNING_RATE_DECAY_CROSS_DEVICE + " for cross-device jobs (devices), whose sampled, skewed clients otherwise keep pulling the global adapter around in late rounds; "
      + JobDefaults.LEARNING_RATE_DECAY_CROSS_SILO + " for cross-silo jobs (silos).")
  private LearningRateDecay learningRateDecay;

  @JsonPropertyDescription("Fraction of each round's local steps spent on linear learning-rate warm-up.")
  @Default(JobDefaults.WARMUP_RATIO_TEXT)
  @Min(0)
  @Max(1)
  private Double warmupRatio;

  @JsonPropertyDescription("AdamW weight decay.")
  @Default(JobDefaults.WEIGHT_DECAY_TEXT)
  @Min(0)
  @Max(1)
  private Double weightDecay;

  @JsonPropertyDescription("Updates needed to close a round (quorum); at most the number of silos.")
  @Default(JobDefaults.MIN_SILOS_TEXT)
  @Min(1)
  private Integer minSilos;

  @JsonPropertyDescription("Deadline of a round; at the deadline the round closes if minSilos updates arrived, else it is retried.")
  @Default(JobDefaults.ROUND_TIMEOUT_SECONDS_TEXT)
  @Min(1)
  @Max(604800)
  private Integer roundTimeoutSeconds;

  @JsonPropertyDescription("Seed for initialization, sampling and shuffling; the same seed gives the same run.")
  @Default(JobDefaults.SEED_TEXT)
  @Min(0)
  private Long seed;

  @JsonPropertyDescription("How often a round that missed its quorum is retried before the job fails.")
  @Default(JobDefaults.MAX_ROUND_RETRIES_TEXT)
  @Min(0)
  @Max(100)
  private Integer maxRoundRetries;

  @JsonPropertyDescription("Stop with success once held-out accuracy reaches this value (causal-lm: the exact-match rate of greedy decoding).")
  @Min(0)
  @Max(1)
  private Double targetAccuracy;

  @JsonPropertyDescription("Stop when held-out accuracy has not improved for this many evaluations.")
  @Min(1)
  private Integer patience;

  @JsonPropertyDescription("Evaluate the global adapter on the held-out data every this many rounds (and always after the last).")
  @Default(JobDefaults.EVALUATE_EVERY_TEXT)
  @Min(1)
  private Integer evaluateEvery;

  public Integer getTotal() {
    return total;
  }

  public void setTotal(Integer total) {
    this.total = total;
  }

  public Integer getLocalSteps() {
    return localSteps;
  }

  public void setLocalSteps(Integer localSteps) {
    this.localSteps = localSteps;
  }

  public Integer getLocalEpochs() {
    return localEpochs;
  }

  public void setLocalEpochs(Integer localEpochs) {
    this.localEpochs = localEpochs;
  }

  public Integer getBatchSize() {
    return batchSize;
  }

  public void setBatchSize(Integer batchSize) {
    this.batchSize = batchSize;
  }

  public Double getLearningRate() {
    return learningRate;
  }

  public void setLearningRate(Double learningRate) {
    this.learningRate = learningRate;
  }

  public Double getHeadLearningRate() {
    return headLearningRate;
  }

  public void setHeadLearningRate(Double headLearningRate) {
    this.headLearningRate = headLearningRate;
  }

  public LearningRateDecay getLearningRateDecay() {
    return learningRateDecay;
  }

  public void setLearningRateDecay(LearningRateDecay learningRateDecay) {
    this.learningRateDecay = learningRateDecay;
  }

  public Double getWarmupRatio() {
    return warmupRatio;
  }

  public void setWarmupRatio(Double warmupRatio) {
    this.warmupRatio = warmupRatio;
  }

  public Double getWeightDecay() {
    return weightDecay;
  }

  public void setWeightDecay(Double weightDecay) {
    this.weightDecay = weightDecay;
  }

  public Integer getMinSilos() {
    return minSilos;
  }

  public void setMinSilos(Integer minSilos) {
    this.minSilos = minSilos;
  }

  public Integer getRoundTimeoutSeconds() {
    return roundTimeoutSeconds;
  }

  public void setRoundTimeoutSeconds(Integer roundTimeoutSeconds) {
    this.roundTimeoutSeconds = roundTimeoutSeconds;
  }

  public Long getSeed() {
    return seed;
  }

  public void setSeed(Long seed) {
    this.seed = seed;
  }

  public Integer getMaxRoundRetries() {
    return maxRoundRetries;
  }

  public void setMaxRoundRetries(Integer maxRoundRetries) {
    this.maxRoundRetries = maxRoundRetries;
  }

  public Double getTargetAccuracy() {
    return targetAccuracy;
  }

  public void setTargetAccuracy(Double targetAccuracy) {
    this.targetAccuracy = targetAccuracy;
  }

  public Integer getPatience() {
    return patience;
  }

  public void setPatience(Integer patience) {
    this.patience = patience;
  }

  public Integer getEvaluateEvery() {
    return evaluateEvery;
  }

  public void setEvaluateEvery(Integer evaluateEvery) {
    this.evaluateEvery = evaluateEvery;
  }
}
