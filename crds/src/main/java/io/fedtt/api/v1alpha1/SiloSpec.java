package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Map;

/**
 * One cross-silo participant: its data and where its worker pod runs.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SiloSpec extends ValueObject {

  @JsonPropertyDescription("Silo name, a DNS-1123 label unique within the job; used in pod names, tokens and status.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @Size(min = 1, max = 63)
  private String name;

  @JsonPropertyDescription("The silo's training and evaluation data.")
  @Required
  private SiloData data;

  @JsonPropertyDescription("Multiplier on the silo's aggregation weight (its example count); default 1.")
  @Min(value = 0, inclusive = false)
  private Double weight;

  @JsonPropertyDescription("Node labels the silo's pod must match, e.g. to pin it to a site.")
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription("Tolerations of the silo's pod.")
  private List<Toleration> tolerations;

  @JsonPropertyDescription("Affinity of the silo's pod (core/v1 Affinity).")
  private Affinity affinity;

  @JsonPropertyDescription("Resources of the silo's trainer container, e.g. nvidia.com/gpu: 1.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Extra environment variables of the trainer container.")
  private List<EnvVar> env;

  @JsonPropertyDescription("Extra volumes of the silo's pod, e.g. the PVC holding its data (core/v1 Volume).")
  private List<Volume> volumes;

  @JsonPropertyDescription("Mounts of those volumes in the trainer container.")
  private List<VolumeMount> volumeMounts;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public SiloData getData() {
    return data;
  }

  public void setData(SiloData data) {
    this.data = data;
  }

  public Double getWeight() {
    return weight;
  }

  public void setWeight(Double weight) {
    this.weight = weight;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public List<EnvVar> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVar> env) {
    this.env = env;
  }

  public List<Volume> getVolumes() {
    return volumes;
  }

  public void setVolumes(List<Volume> volumes) {
    this.volumes = volumes;
  }

  public List<VolumeMount> getVolumeMounts() {
    return volumeMounts;
  }

  public void setVolumeMounts(List<VolumeMount> volumeMounts) {
    this.volumeMounts = volumeMounts;
  }
}
