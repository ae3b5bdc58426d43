package io.fedtt.api.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fedtt.api.v1alpha1.ValueObject;

/**
 * One completed round, as kept in status.history.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RoundRecord extends ValueObject {

  @JsonPropertyDescription("Round number (1-based).")
  private Integer round;

  @JsonPropertyDescription("Updates aggregated in this round.")
  private Integer participants;

  @JsonPropertyDescription("Selected participants whose update missed the round.")
  private Integer stragglers;

  @JsonPropertyDescription("Bytes uploaded in this round.")
  private Long bytesUp;

  @JsonPropertyDescription("Bytes downloaded in this round.")
  private Long bytesDown;

  @JsonPropertyDescription("Wall time of the round.")
  private Double seconds;

  @JsonPropertyDescription("Held-out accuracy after this round, when evaluated (causal-lm: exact-match rate of greedy decoding).")
  private Double accuracy;

  @JsonPropertyDescription("Held-out loss after this round, when evaluated (causal-lm: mean response-token cross-entropy; perplexity = exp(loss)).")
  private Double loss;

  @JsonPropertyDescription("TT cores trainable (and exchanged) in this round, over all TT layers.")
  private Integer trainableCores;

  public Integer getRound() {
    return round;
  }

  public void setRound(Integer round) {
    this.round = round;
  }

  public Integer getParticipants() {
    return participants;
  }

  public void setParticipants(Integer participants) {
    this.participants = participants;
  }

  public Integer getStragglers() {
    return stragglers;
  }

  public void setStragglers(Integer stragglers) {
    this.stragglers = stragglers;
  }

  public Long getBytesUp() {
    return bytesUp;
  }

  public void setBytesUp(Long bytesUp) {
    this.bytesUp = bytesUp;
  }

  public Long getBytesDown() {
    return bytesDown;
  }

  public void setBytesDown(Long bytesDown) {
    this.bytesDown = bytesDown;
  }

  public Double getSeconds() {
    return seconds;
  }

  public void setSeconds(Double seconds) {
    this.seconds = seconds;
  }

  public Double getAccuracy() {
    return accuracy;
  }

  public void setAccuracy(Double accuracy) {
    this.accuracy = accuracy;
  }

  public Double getLoss() {
    return loss;
  }

  public void setLoss(Double loss) {
    this.loss = loss;
  }

  public Integer getTrainableCores() {
    return trainableCores;
  }

  public void setTrainableCores(Integer trainableCores) {
    this.trainableCores = trainableCores;
  }
}
