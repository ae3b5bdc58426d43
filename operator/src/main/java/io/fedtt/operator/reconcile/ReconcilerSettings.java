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
 * @param models how a job's model shape is read (config.json, probe pods); null = from the environment
 */
public record ReconcilerSettings(PodSettings pods, Backoff backoff, SpecValidator validator, Clock clock,
                                 LongConsumer reconcileNanos, ModelSettings models) {

  public ReconcilerSettings(PodSettings pods, Backoff backoff, SpecValidator validator, Clock clock,
      LongConsumer reconcileNanos) {
    this(pods, backoff, validator, clock, reconcileNanos, null);
  }

  public ReconcilerSettings {
    Objects.requireNonNull(pods, "pods");
    models = models == null ? ModelSettings.fromEnvironment(System.getenv()) : models;
    backoff = backoff == null ? Backoff.defaults() : backoff;
    validator = validator == null ? ApiSpecValidator.standard() : validator;
    clock = clock == null ? Clock.systemUTC() : clock;
    reconcileNanos = reconcileNanos == null ? n -> { } : reconcileNanos;
  }
}
