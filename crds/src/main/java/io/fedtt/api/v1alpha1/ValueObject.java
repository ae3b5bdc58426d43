package io.fedtt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * Value semantics for the model's plain objects: two objects are equal when they serialize to the
 * same JSON, so a reconciler can tell "status unchanged" without hand-written equals methods that
 * drift when a field is added.
 */
public abstract class ValueObject {
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass()
        && MAPPER.valueToTree(this).equals(MAPPER.valueToTree(o));
  }

  @Override
  public int hashCode() {
    return MAPPER.valueToTree(this).hashCode();
  }

  @Override
  public String toString() {
    try {
      return getClass().getSimpleName() + MAPPER.writeValueAsString(this);
    } catch (Exception e) {
      return getClass().getSimpleName() + "@" + Integer.toHexString(System.identityHashCode(this));
    }
  }
}
