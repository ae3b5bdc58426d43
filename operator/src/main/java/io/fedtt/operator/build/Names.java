package io.fedtt.operator.build;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.core.tensor.Digest;
import java.nio.charset.StandardCharsets;

/** Names of the objects the operator creates, all derived from the job's name. */
public final class Names {

  /** Pod names double as host names: keep them a DNS label. */
  static final int MAX_LABEL = 63;

  private Names() {}

  /** The job's token Secret. */
  public static String secret(FederatedFineTune job) {
    return fit(job.getMetadata().getName(), "-tokens");
  }

  /**
   * A worker pod: {@code <job>-<slot>-<attempt>}. The attempt (the slot's restarts so far) makes a
   * recreated pod's name new, so it never collides with a failed one that is still terminating.
   */
  public static String pod(FederatedFineTune job, WorkerSlot slot, int attempt) {
    return fit(job.getMetadata().getName(), "-" + slot.name() + "-" + attempt);
  }

  /** The pod that prints a pvc: model's config.json: {@code <job>-model-probe}. */
  public static String modelProbe(FederatedFineTune job) {
    return fit(job.getMetadata().getName(), "-model-probe");
  }

  /** {@code prefix + suffix}, shortened with a hash of the whole when over 63 characters. */
  static String fit(String prefix, String suffix) {
    String full = prefix + suffix;
    if (full.length() <= MAX_LABEL) {
      return full;
    }
    String hash = shortHash(full.getBytes(StandardCharsets.UTF_8));
    int keep = MAX_LABEL - hash.length() - 1 - suffix.length();
    if (keep < 1) {
      return (prefix.substring(0, Math.min(prefix.length(), MAX_LABEL - hash.length() - 1)) + "-" + hash)
          .replaceAll("^[^a-z0-9]+", "");
    }
    String head = prefix.substring(0, keep).replaceAll("[^a-z0-9]+$", "");
    return head + "-" + hash + suffix;
  }

  /** First 8 hex digits of the sha256 of {@code bytes}. */
  static String shortHash(byte[] bytes) {
    return Digest.sha256Hex(bytes).substring(0, 8);
  }
}
