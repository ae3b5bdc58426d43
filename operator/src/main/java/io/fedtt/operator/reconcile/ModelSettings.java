package io.fedtt.operator.reconcile;

import io.fedtt.core.model.ModelConfigFetcher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the operator learns a job's model shape when the manifest does not give it (and checks it when it
 * does): {@code fetcher} reads config.json from file:, hf: and https:; a pvc: model's is printed by a
 * short probe pod that mounts the claim read-only.
 *
 * @param fetcher config.json over HTTP (HF_ENDPOINT, HF_TOKEN) or from the operator's own file system
 * @param probeImage the probe pod's image; it must have {@code cat}. Null: the job's worker image
 * @param probeTimeout how long a probe pod may take (scheduling, image pull, mount) before it is deleted
 * @param retryDelay how long to wait before fetching again after a network failure, or probing again after
 *     a probe pod timed out
 */
public record ModelSettings(ModelConfigFetcher fetcher, String probeImage, Duration probeTimeout, Duration retryDelay) {

  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(30);

  public ModelSettings {
    Objects.requireNonNull(fetcher, "fetcher");
    probeImage = probeImage == null || probeImage.isBlank() ? null : probeImage;
    probeTimeout = probeTimeout == null ? DEFAULT_PROBE_TIMEOUT : probeTimeout;
    retryDelay = retryDelay == null ? DEFAULT_RETRY_DELAY : retryDelay;
    if (probeTimeout.isNegative() || probeTimeout.isZero()) {
      throw new IllegalArgumentException("--model-probe-timeout must be positive, got " + probeTimeout);
    }
  }

  /** config.json from HF_ENDPOINT/HF_TOKEN of {@code env} (https only), the worker image for probes. */
  public static ModelSettings fromEnvironment(Map<String, String> env) {
    return new ModelSettings(ModelConfigFetcher.fromEnvironment(env, Path.of("").toAbsolutePath()), null, null, null);
  }

  public ModelSettings withProbe(String image, Duration timeout) {
    return new ModelSettings(fetcher, image, timeout, retryDelay);
  }

  public ModelSettings withRetryDelay(Duration value) {
    return new ModelSettings(fetcher, probeImage, probeTimeout, value);
  }
}
