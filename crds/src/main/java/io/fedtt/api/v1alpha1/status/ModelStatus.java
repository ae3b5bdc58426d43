package io.fedtt.api.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fedtt.api.v1alpha1.ModelArchitecture;
import io.fedtt.api.v1alpha1.ValueObject;

/**
 * The base model's shape as the operator found it: read once per model reference and kept here, so
 * that later reconciles and an operator restart do not fetch config.json (or run a probe pod) again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelStatus extends ValueObject {

  /** Where {@link ModelStatus#getArchitecture()} came from. */
  public enum Source {
    /** The preset of a builtin: model. */
    @JsonProperty("builtin")
    BUILTIN,
    /** The model's config.json, read by the operator (file:, hf:, https:). */
    @JsonProperty("config.json")
    CONFIG_JSON,
    /** The model's config.json, read by a short probe pod that mounted the claim (pvc:). */
    @JsonProperty("probe")
    PROBE,
    /** spec.model.architecture: the operator could not read config.json; each worker checks it. */
    @JsonProperty("declared")
    DECLARED
  }

  @JsonPropertyDescription("The model reference the shape belongs to: spec.model.uri, with @<spec.model.revision> for hf:. A different reference is read afresh.")
  private String uri;

  @JsonPropertyDescription("Where the shape came from: builtin (a builtin: model's preset), config.json (read by the operator from file:, hf: or https:), probe (config.json read by a probe pod that mounted the pvc: claim), or declared (config.json could not be read by the operator, message says why; spec.model.architecture is used and each worker checks it).")
  private Source source;

  @JsonPropertyDescription("metadata.generation when the shape was read.")
  private Long observedGeneration;

  @JsonPropertyDescription("The model's shape, in the fields of spec.model.architecture.")
  private ModelArchitecture architecture;

  @JsonPropertyDescription("Why config.json could not be read, for source declared.")
  private String message;

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }

  public Source getSource() {
    return source;
  }

  public void setSource(Source source) {
    this.source = source;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public ModelArchitecture getArchitecture() {
    return architecture;
  }

  public void setArchitecture(ModelArchitecture architecture) {
    this.architecture = architecture;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
