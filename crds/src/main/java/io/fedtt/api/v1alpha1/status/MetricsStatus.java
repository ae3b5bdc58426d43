package io.fedtt.api.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fedtt.api.v1alpha1.ValueObject;

/**
 * Quality of the global adapter on the held-out evaluation data. For a causal-lm job accuracy is the
 * exact-match rate of greedy decoding and loss the mean response-token cross-entropy (perplexity =
 * exp(loss)); macroF1 is not reported.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetricsStatus extends ValueObject {

  @JsonPropertyDescription("Accuracy at the latest evaluation: classification accuracy (sequence-classification) or the exact-match rate of greedy decoding against the reference responses (causal-lm).")
  private Double accuracy;

  @JsonPropertyDescription("Best accuracy so far (for causal-lm: best exact-match rate).")
  private Double bestAccuracy;

  @JsonPropertyDescription("Mean cross-entropy at the latest evaluation: per example over the labels (sequence-classification) or per response token (causal-lm; perplexity = exp(loss)).")
  private Double loss;

  @JsonPropertyDescription("Macro-averaged F1 at the latest evaluation (sequence-classification only).")
  private Double macroF1;

  public Double getAccuracy() {
    return accuracy;
  }

  public void setAccuracy(Double accuracy) {
    this.accuracy = accuracy;
  }

  public Double getBestAccuracy() {
    return bestAccuracy;
  }

  public void setBestAccuracy(Double bestAccuracy) {
    this.bestAccuracy = bestAccuracy;
  }

  public Double getLoss() {
    return loss;
  }

  public void setLoss(Double loss) {
    this.loss = loss;
  }

  public Double getMacroF1() {
    return macroF1;
  }

  public void setMacroF1(Double macroF1) {
    this.macroF1 = macroF1;
  }
}
