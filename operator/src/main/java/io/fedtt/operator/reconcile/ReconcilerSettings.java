package io.fedtt.operator.reconcile;

import io.fedtt.operator.build.PodSettings;
import java.time.Clock;
import java.util.Objects;

/**
 * @param pods inputs of the pod builder (default image, endpoint URL)
 * @param backoff delay before a failed worker's pod is recreated
 * @param validator the "validate" step
 * @param clock time for conditions, backoff, deadlines and ttl
 */
public record ReconcilerSettings(PodSettings pods, Backoff backoff, SpecValidator validator, Clock clock) {

  public ReconcilerSettings {
    Objects.requireNonNull(pods, "pods");
    backoff = backoff == null ? Backoff.defaults() : backoff;
    validator = validator == null ? ApiSpecValidator.standard() : validator;
    clock = clock == null ? Clock.systemUTC() : clock;
  }
}
