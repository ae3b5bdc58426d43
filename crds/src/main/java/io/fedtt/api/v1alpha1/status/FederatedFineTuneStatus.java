package io.fedtt.api.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fedtt.api.v1alpha1.ValueObject;
import java.util.List;

/**
 * Observed state of a federated fine-tuning job, written by the operator (or fedtt simulate).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FederatedFineTuneStatus extends ValueObject {

  @JsonPropertyDescription("Created, Running, Suspended, Succeeded, Failed; each with status, CamelCase reason, message and lastTransitionTime.")
  private List<Condition> conditions;

  @JsonPropertyDescription("metadata.generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("When the first round started (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When the job succeeded or failed (RFC 3339).")
  private String completionTime;

  @JsonPropertyDescription("Round progress.")
  private RoundStatus round;

  @JsonPropertyDescription("Per-silo (cross-device: per-worker) state.")
  private List<SiloStatus> silos;

  @JsonPropertyDescription("Bytes exchanged and the comparison with LoRA and full fine-tuning.")
  private CommunicationStatus communication;

  @JsonPropertyDescription("Held-out quality of the global adapter.")
  private MetricsStatus metrics;

  @JsonPropertyDescription("The differential-privacy budget spent (jobs with spec.privacy.differentialPrivacy only).")
  private PrivacyStatus privacy;

  @JsonPropertyDescription("The last 100 completed rounds, oldest first.")
  private List<RoundRecord> history;

  @JsonPropertyDescription("The latest global adapter.")
  private AdapterStatus adapter;

  @JsonPropertyDescription("The base model's shape as the operator found it (config.json, a probe pod, a builtin preset, or spec.model.architecture), kept so that it is read once per model reference.")
  private ModelStatus model;

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  public RoundStatus getRound() {
    return round;
  }

  public void setRound(RoundStatus round) {
    this.round = round;
  }

  public List<SiloStatus> getSilos() {
    return silos;
  }

  public void setSilos(List<SiloStatus> silos) {
    this.silos = silos;
  }

  public CommunicationStatus getCommunication() {
    return communication;
  }

  public void setCommunication(CommunicationStatus communication) {
    this.communication = communication;
  }

  public MetricsStatus getMetrics() {
    return metrics;
  }

  public void setMetrics(MetricsStatus metrics) {
    this.metrics = metrics;
  }

  public PrivacyStatus getPrivacy() {
    return privacy;
  }

  public void setPrivacy(PrivacyStatus privacy) {
    this.privacy = privacy;
  }

  public List<RoundRecord> getHistory() {
    return history;
  }

  public void setHistory(List<RoundRecord> history) {
    this.history = history;
  }

  public AdapterStatus getAdapter() {
    return adapter;
  }

  public void setAdapter(AdapterStatus adapter) {
    this.adapter = adapter;
  }

  public ModelStatus getModel() {
    return model;
  }

  public void setModel(ModelStatus model) {
    this.model = model;
  }


  /** Derived from the conditions by {@link Phase#of}; never stored separately. */
  @JsonProperty(value = "phase", access = JsonProperty.Access.READ_ONLY)
  @JsonPropertyDescription("Pending, Running, Suspended, Succeeded or Failed; derived from the conditions.")
  public Phase getPhase() {
    return Phase.of(conditions);
  }

  /** Sets a condition (see {@link Conditions#set}); the phase follows. */
  public void setCondition(ConditionType type, boolean status, Reason reason, String message,
      Long observedGeneration, java.time.Instant now) {
    conditions = Conditions.set(conditions, type, status, reason, message, observedGeneration, now);
  }

  /** Adds a completed round to the bounded history (see {@link History#append}). */
  public void addHistory(RoundRecord record) {
    history = History.append(history, record);
  }

}
