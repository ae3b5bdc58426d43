package io.fedtt.api.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fedtt.api.v1alpha1.ValueObject;
import java.util.Locale;

/**
 * Bytes exchanged, counted on the wire, and what the same job would cost with LoRA or full fine-
 * tuning.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CommunicationStatus extends ValueObject {

  @JsonPropertyDescription("How adapter values travelled (spec.communication.encoding): float32, float16, bfloat16 or int8.")
  private String encoding;

  @JsonPropertyDescription("Total bytes uploaded by participants (updates).")
  private Long bytesUp;

  @JsonPropertyDescription("Total bytes downloaded by participants (global adapters).")
  private Long bytesDown;

  @JsonPropertyDescription("spec.communication.budgetBytes, when set: the most bytes, up and down together, the job may move.")
  private Long budgetBytes;

  @JsonPropertyDescription("budgetBytes minus bytesUp and bytesDown: what the job may still move; absent without a budget.")
  private Long budgetRemainingBytes;

  @JsonPropertyDescription("Bytes up and down in the last completed round.")
  private Long lastRoundBytes;

  @JsonPropertyDescription("Parameters in one client's update (trainable, exchanged).")
  private Long parametersPerUpdate;

  @JsonPropertyDescription("Bytes the same rounds and participants would have cost with federated LoRA (rank 8 on query and value, plus the classification head), in the same encoding as this job (encoding), so that reductionVsLora compares like with like.")
  private Long loraEquivalentBytes;

  @JsonPropertyDescription("Bytes the same rounds and participants would have cost exchanging the full model, in the same encoding as this job.")
  private Long fullModelBytes;

  @JsonPropertyDescription("loraEquivalentBytes divided by the bytes actually exchanged.")
  private Double reductionVsLora;

  public String getEncoding() {
    return encoding;
  }

  public void setEncoding(String encoding) {
    this.encoding = encoding;
  }

  public Long getBudgetBytes() {
    return budgetBytes;
  }

  public void setBudgetBytes(Long budgetBytes) {
    this.budgetBytes = budgetBytes;
  }

  public Long getBudgetRemainingBytes() {
    return budgetRemainingBytes;
  }

  public void setBudgetRemainingBytes(Long budgetRemainingBytes) {
    this.budgetRemainingBytes = budgetRemainingBytes;
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

  public Long getLastRoundBytes() {
    return lastRoundBytes;
  }

  public void setLastRoundBytes(Long lastRoundBytes) {
    this.lastRoundBytes = lastRoundBytes;
  }

  public Long getParametersPerUpdate() {
    return parametersPerUpdate;
  }

  public void setParametersPerUpdate(Long parametersPerUpdate) {
    this.parametersPerUpdate = parametersPerUpdate;
  }

  public Long getLoraEquivalentBytes() {
    return loraEquivalentBytes;
  }

  public void setLoraEquivalentBytes(Long loraEquivalentBytes) {
    this.loraEquivalentBytes = loraEquivalentBytes;
  }

  public Long getFullModelBytes() {
    return fullModelBytes;
  }

  public void setFullModelBytes(Long fullModelBytes) {
    this.fullModelBytes = fullModelBytes;
  }

  public Double getReductionVsLora() {
    return reductionVsLora;
  }

  public void setReductionVsLora(Double reductionVsLora) {
    this.reductionVsLora = reductionVsLora;
  }


  /** e.g. "1.2 MB, 9.8x<LoRA" or, with a budget, "1.2 MB of 5.0 MB, 9.8x<LoRA", for the Comm printer column. */
  @JsonProperty(value = "display", access = JsonProperty.Access.READ_ONLY)
  @JsonPropertyDescription("Total bytes (of the budget, when there is one) and reduction versus LoRA, for kubectl get (derived).")
  public String getDisplay() {
    if (bytesUp == null && bytesDown == null) {
      return null;
    }
    long total = (bytesUp == null ? 0 : bytesUp) + (bytesDown == null ? 0 : bytesDown);
    String text = humanBytes(total);
    if (budgetBytes != null && budgetBytes > 0) {
      text += " of " + humanBytes(budgetBytes);
    }
    if (reductionVsLora != null && Double.isFinite(reductionVsLora)) {
      text += String.format(Locale.ROOT, ", %.1fx<LoRA", reductionVsLora);
    }
    return text;
  }

  /** Decimal units (kB = 1000 B), one decimal. */
  public static String humanBytes(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB", "PB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

}
