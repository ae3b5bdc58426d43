package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * Where the final adapter (adapter.safetensors) and results.json are written.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutputSpec extends ValueObject {

  @JsonPropertyDescription("file:<dir> or pvc:<claim>/<dir>.")
  @Required
  @Pattern("^(file:.+|pvc:[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/.*)?)$")
  private String uri;

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }
}
