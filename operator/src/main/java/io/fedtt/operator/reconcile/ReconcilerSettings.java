package io.fedtt.operator.reconcile;

import io.fedtt.operator.build.PodSettings;
import java.time.Clock;
import java.util.Objects;
import java.util.function.LongConsumer;

/**
 * @param pods inputs of the pod builder (default image, endpoint URL)
 * @param backoff delay before a failed worker's pod is recreated
 * @param validator the "validate" step
 * @param clock time for conditions, backoff, deadlines and ttl
 * @param reconcileNanos told how long each reconcile took (benchmarks); null = nobody
 */
public record ReconcilerSettings(PodSettings pods, Backoff backoff, SpecValidator validator, Clock clock,
                                 LongConsumer reconcileNanos) {

  public ReconcilerSettings {
    Objects.requireNonNull(pods, "pods");
    backoff = backoff == null ? Backoff.defaults() : backoff;
    validator = validator == null ? ApiSpecValidator.standard() : validator;
    clock = clock == null ? Clock.systemUTC() : clock;
    reconcileNanos = reconcileNanos == null ? n -> { } : reconcileNanos;
  }
}
