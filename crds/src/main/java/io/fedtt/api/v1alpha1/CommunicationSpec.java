package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How the adapter travels between the silos and the coordinator.
 */
// A CEL rule rather than @Min, so the message names the field.
@ValidationRule(value = "!has(self.budgetBytes) || self.budgetBytes > 0",
    message = "communication.budgetBytes must be a positive number of bytes", fieldPath = ".budgetBytes")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CommunicationSpec extends ValueObject {

  // No schema default: an absent encoding lets the deprecated adapter.wireDtype still decide.
  @JsonPropertyDescription("Number format of the adapter values on the wire, uploads and downloads alike: float32 (exact; the default, or what the deprecated adapter.wireDtype names), float16 or bfloat16 (2 bytes a value), int8 (1 byte a value plus one float32 scale per 128 values, stochastically rounded). The coordinator's master copy stays float32; in a lossy encoding each silo uploads its change from the round's global adapter and carries what rounding withheld into the next round (error feedback). status.communication counts the real bytes on the wire, and loraEquivalentBytes assumes the same encoding, so reductionVsLora compares like with like.")
  private CommunicationEncoding encoding;

  @JsonPropertyDescription("Total bytes the job may move on the wire, uploads and downloads together, as status.communication counts them. "
      + "Before each round the coordinator estimates its bytes (per sampled participant: download plus upload of the round's trainable tensors in the encoding, "
      + "or the bytes measured in an earlier round with the same tensors when larger); when it would not fit, FedTT+ freezes more TT cores and "
      + "cross-device jobs sample fewer devices (never below rounds.minSilos); when it still cannot fit, the job ends (successfully, reason BudgetExhausted) "
      + "before sending anything more. Unset: no limit.")
  private Long budgetBytes;

  public Long getBudgetBytes() {
    return budgetBytes;
  }

  public void setBudgetBytes(Long budgetBytes) {
    this.budgetBytes = budgetBytes;
  }

  public CommunicationEncoding getEncoding() {
    return encoding;
  }

  public void setEncoding(CommunicationEncoding encoding) {
    this.encoding = encoding;
  }
}
