package io.fedtt.operator.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * JOSDK registers its Micrometer meters without descriptions, which the Prometheus exposition then
 * lacks as HELP text ({@code promtool check metrics} flags it). This filter gives every meter
 * without one a description derived from its name.
 */
public final class JosdkMeterDescriptions implements MeterFilter {

  @Override
  public Meter.Id map(Meter.Id id) {
    if (id.getDescription() != null && !id.getDescription().isBlank()) {
      return id;
    }
    String what = id.getName().replace("operator.sdk.", "").replace('.', ' ');
    return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(),
        "Java Operator SDK: " + what, id.getType());
  }
}
