package io.fedtt.operator.reconcile;

import java.time.Duration;

/**
 * Delay before a failed worker's pod is recreated: base * 2^(failures-1), capped, as batch/v1
 * Jobs do (10 s doubling up to 6 min by default).
 */
public record Backoff(Duration base, Duration max) {

  public static Backoff defaults() {
    return new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(6));
  }

  /** The delay after the slot's {@code failures}-th failure (failures >= 1). */
  public Duration delay(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    long ms = base.toMillis();
    for (int i = 1; i < failures && ms < max.toMillis(); i++) {
      ms *= 2;
    }
    return Duration.ofMillis(Math.min(ms, max.toMillis()));
  }
}
