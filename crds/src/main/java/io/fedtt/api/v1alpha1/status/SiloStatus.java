package io.fedtt.api.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fedtt.api.v1alpha1.ValueObject;

/**
 * State of one silo (or, in cross-device mode, one worker pod).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SiloStatus extends ValueObject {

  @JsonPropertyDescription("Silo name (or worker name in cross-device mode).")
  private String name;

  @JsonPropertyDescription("Pending, Running, Succeeded or Failed.")
  private SiloPhase phase;

  @JsonPropertyDescription("Name of the silo's current worker pod.")
  private String pod;

  @JsonPropertyDescription("Last round whose update from this silo was accepted.")
  private Integer lastRound;

  @JsonPropertyDescription("Training examples the silo reported (its aggregation weight).")
  private Long examples;

  @JsonPropertyDescription("Times the silo's pod was recreated after a failure.")
  private Integer restarts;

  @JsonPropertyDescription("CamelCase reason for a problem, e.g. Unschedulable, ImagePullBackOff, CrashLoopBackOff, OOMKilled.")
  private String reason;

  @JsonPropertyDescription("Human-readable detail of the problem.")
  private String message;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public SiloPhase getPhase() {
    return phase;
  }

  public void setPhase(SiloPhase phase) {
    this.phase = phase;
  }

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
  }

  public Integer getLastRound() {
    return lastRound;
  }

  public void setLastRound(Integer lastRound) {
    this.lastRound = lastRound;
  }

  public Long getExamples() {
    return examples;
  }

  public void setExamples(Long examples) {
    this.examples = examples;
  }

  public Integer getRestarts() {
    return restarts;
  }

  public void setRestarts(Integer restarts) {
    this.restarts = restarts;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
