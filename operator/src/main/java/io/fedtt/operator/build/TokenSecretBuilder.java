package io.fedtt.operator.build;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The job's Secret: one bearer token per worker slot, under the slot's name. Tokens already in an
 * existing Secret are kept (a worker that is running holds them); only missing slots get new ones.
 */
public final class TokenSecretBuilder {

  private TokenSecretBuilder() {}

  /**
   * @param existing the tokens the current Secret holds (slot -> token), empty when there is none
   * @param newToken makes a fresh random token
   */
  public static Secret build(FederatedFineTune job, List<WorkerSlot> slots, Map<String, String> existing,
      Supplier<String> newToken) {
    Map<String, String> data = new TreeMap<>();
    for (WorkerSlot s : slots) {
      String token = existing.get(s.name());
      data.put(s.name(), encode(token != null ? token : newToken.get()));
    }
    return new SecretBuilder()
        .withNewMetadata()
          .withName(Names.secret(job))
          .withNamespace(job.getMetadata().getNamespace())
          .withLabels(Labels.forSecret(job))
          .withOwnerReferences(OwnerRefs.controller(job))
        .endMetadata()
        .withType("Opaque")
        .withImmutable(false)
        .withData(data)
        .build();
  }

  /** The tokens of a Secret, decoded (slot -> token). */
  public static Map<String, String> tokens(Secret secret) {
    Map<String, String> out = new LinkedHashMap<>();
    if (secret == null) {
      return out;
    }
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      out.putAll(secret.getStringData());
    }
    return out;
  }

  /** Whether {@code secret} already holds a token for every slot. */
  public static boolean covers(Secret secret, List<WorkerSlot> slots) {
    Map<String, String> t = tokens(secret);
    return slots.stream().allMatch(s -> t.containsKey(s.name()));
  }

  private static String encode(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
