package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fedtt.core.job.JobDefaults;
import java.util.List;

/**
 * The trainable part that is exchanged each round: tensor-train adapters (FedTT), LoRA (baseline)
 * or the whole model (reference).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AdapterSpec extends ValueObject {

  @JsonPropertyDescription("tt: tensor-train adapters (BERT: after the attention and feed-forward outputs; LLAMA: on the inputs of gate_proj and up_proj and the output of down_proj), plus TT deltas on ttProjections; lora: LoRA on the target projections; full: every parameter (a reference, expensive).")
  @Default("tt")
  private AdapterType type;

  @JsonPropertyDescription("Inner rank of every TT core (type tt). Default " + JobDefaults.TT_RANK_TEXT + ", not FEDTT.md's 5: on the quality suite rank 3 matched rank 5 within 0.2 points on every task with 45 % fewer values per update (BENCHMARKS.md, \"TT rank\").")
  @Default(JobDefaults.TT_RANK_TEXT)
  @Min(1)
  @Max(64)
  private Integer ttRank;

  @JsonPropertyDescription("Adapter bottleneck width (type tt).")
  @Default(JobDefaults.BOTTLENECK_TEXT)
  @Min(1)
  @Max(4096)
  private Integer bottleneck;

  @JsonPropertyDescription("TT mode list of the adapter matrices, overriding the balanced factorization; its product must equal hidden size x bottleneck (type tt).")
  @Size(min = 2, max = 16)
  private List<@Min(2) Integer> modes;

  @JsonPropertyDescription("identity: the last core of every up projection (and TT delta) is zero so the model starts as the pretrained one; loretta: LoRETTA's Gaussian cores (type tt).")
  @Default("identity")
  private AdapterInit init;

  @JsonPropertyDescription("Also train (and exchange) the LayerNorm weights and biases (type tt), as LoRETTA does. Default "
      + JobDefaults.TRAIN_LAYER_NORM_TT_TEXT + ": frozen norms matched or beat trained ones on every task of the quality suite and send "
      + "about 30 % fewer values (BENCHMARKS.md, \"Frozen LayerNorms\").")
  @Default(JobDefaults.TRAIN_LAYER_NORM_TT_TEXT)
  private Boolean trainLayerNorm;

  @JsonPropertyDescription("Dense biases of every TT adapter (type tt): both (the down projection's, bottleneck wide, and the up "
      + "projection's, hidden wide, as FEDTT.md), down (the down projection's only) or none. Default "
      + JobDefaults.ADAPTER_BIAS_TT_TEXT + " (BENCHMARKS.md, \"Adapter biases\").")
  @Default(JobDefaults.ADAPTER_BIAS_TT_TEXT)
  private AdapterBias adapterBias;

  @JsonPropertyDescription("Projections that also get a TT delta in every layer (type tt): a bias-less TT layer W [in, out] of the projection's shape, added in parallel (y = base(x) + x W), next to the adapters. Names as in targets: BERT query, key, value, attention.output.dense, intermediate.dense, output.dense; LLAMA q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj; the other family's spelling and q, k, v are accepted. A delta's TT modes are the balanced factorization of its [in, out] (modes applies to the adapters only). Default: none.")
  @Size(max = 16)
  private List<@Size(min = 1, max = 63) String> ttProjections;

  @JsonPropertyDescription("LoRA rank (type lora).")
  @Default(JobDefaults.LORA_RANK_TEXT)
  @Min(1)
  @Max(256)
  private Integer rank;

  @JsonPropertyDescription("Projections that get LoRA matrices (type lora): BERT query, key, value, attention.output.dense, intermediate.dense, output.dense; LLAMA q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj; the other family's spelling and q, k, v are accepted.")
  @Default("[\"query\", \"value\"]")
  @Size(min = 1, max = 16)
  private List<@Size(min = 1, max = 63) String> targets;

  @JsonPropertyDescription("FFA-LoRA (type lora; ignored by other types, so one manifest can --compare methods): keep every LoRA A matrix at its seeded random initialization and train only B (and the head). A then never travels after the first download, halving LoRA's upload and later downloads, and the averaged B matrices are exactly the average of the silos' low-rank updates (Sun et al. 2024). Default false: plain federated LoRA.")
  @Default("false")
  private Boolean loraFreezeA;

  @JsonPropertyDescription("LoRA scaling numerator; the update is scaled by alpha / rank (type lora).")
  @Default(JobDefaults.LORA_ALPHA_TEXT)
  @Min(value = 0, inclusive = false)
  private Double alpha;

  @JsonPropertyDescription("Classification head on the pooled output: linear (one projection to the labels), dense (a hidden x hidden layer, tanh, then the projection, as Hugging Face's RoBERTa head) or tt (the same with the dense layer as a TT layer, as LoRETTA; its matrix rank is at most ttRank). Default: linear for tt, dense for lora and full.")
  private AdapterHead head;

  @JsonPropertyDescription("Deprecated: use communication.encoding. Number format of the exchanged tensors: F32, or F16/BF16 (communication.encoding float16/bfloat16) when communication.encoding is not set.")
  @Default("F32")
  private WireDtype wireDtype;

  public Boolean getLoraFreezeA() {
    return loraFreezeA;
  }

  public void setLoraFreezeA(Boolean loraFreezeA) {
    this.loraFreezeA = loraFreezeA;
  }

  public AdapterType getType() {
    return type;
  }

  public void setType(AdapterType type) {
    this.type = type;
  }

  public Integer getTtRank() {
    return ttRank;
  }

  public void setTtRank(Integer ttRank) {
    this.ttRank = ttRank;
  }

  public Integer getBottleneck() {
    return bottleneck;
  }

  public void setBottleneck(Integer bottleneck) {
    this.bottleneck = bottleneck;
  }

  public List<Integer> getModes() {
    return modes;
  }

  public void setModes(List<Integer> modes) {
    this.modes = modes;
  }

  public AdapterHead getHead() {
    return head;
  }

  public void setHead(AdapterHead head) {
    this.head = head;
  }

  public AdapterInit getInit() {
    return init;
  }

  public void setInit(AdapterInit init) {
    this.init = init;
  }

  public AdapterBias getAdapterBias() {
    return adapterBias;
  }

  public void setAdapterBias(AdapterBias adapterBias) {
    this.adapterBias = adapterBias;
  }

  public Boolean getTrainLayerNorm() {
    return trainLayerNorm;
  }

  public void setTrainLayerNorm(Boolean trainLayerNorm) {
    this.trainLayerNorm = trainLayerNorm;
  }

  public List<String> getTtProjections() {
    return ttProjections;
  }

  public void setTtProjections(List<String> ttProjections) {
    this.ttProjections = ttProjections;
  }

  public Integer getRank() {
    return rank;
  }

  public void setRank(Integer rank) {
    this.rank = rank;
  }

  public List<String> getTargets() {
    return targets;
  }

  public void setTargets(List<String> targets) {
    this.targets = targets;
  }

  public Double getAlpha() {
    return alpha;
  }

  public void setAlpha(Double alpha) {
    this.alpha = alpha;
  }

  public WireDtype getWireDtype() {
    return wireDtype;
  }

  public void setWireDtype(WireDtype wireDtype) {
    this.wireDtype = wireDtype;
  }
}
