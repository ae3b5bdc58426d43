package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * How the adapter travels between the silos and the coordinator.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CommunicationSpec extends ValueObject {

  // No schema default: an absent encoding lets the deprecated adapter.wireDtype still decide.
  @JsonPropertyDescription("Number format of the adapter values on the wire, uploads and downloads alike: float32 (exact; the default, or what the deprecated adapter.wireDtype names), float16 or bfloat16 (2 bytes a value), int8 (1 byte a value plus one float32 scale per 128 values, stochastically rounded). The coordinator's master copy stays float32; in a lossy encoding each silo uploads its change from the round's global adapter and carries what rounding withheld into the next round (error feedback). status.communication counts the real bytes on the wire, and loraEquivalentBytes assumes the same encoding, so reductionVsLora compares like with like.")
  private CommunicationEncoding encoding;

  public CommunicationEncoding getEncoding() {
    return encoding;
  }

  public void setEncoding(CommunicationEncoding encoding) {
    this.encoding = encoding;
  }
}
