package io.fedtt.api.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fedtt.api.v1alpha1.ValueObject;

/**
 * The latest global adapter.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AdapterStatus extends ValueObject {

  @JsonPropertyDescription("sha256:<hex> of the adapter's safetensors bytes.")
  private String digest;

  @JsonPropertyDescription("Where the final adapter was written (file: or pvc: URI, or the operator's store).")
  private String location;

  public String getDigest() {
    return digest;
  }

  public void setDigest(String digest) {
    this.digest = digest;
  }

  public String getLocation() {
    return location;
  }

  public void setLocation(String location) {
    this.location = location;
  }
}
