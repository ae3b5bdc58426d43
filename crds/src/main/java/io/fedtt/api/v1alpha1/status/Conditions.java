package io.fedtt.api.v1alpha1.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Pure helpers over a list of metav1-style conditions. */
public final class Conditions {
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private Conditions() {}

  public static Optional<Condition> find(List<Condition> conditions, ConditionType type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.name().equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, ConditionType type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  /**
   * Returns a new list with {@code type} set. lastTransitionTime changes only when the status
   * changes (Kubernetes convention), so "since when" stays true across reconciles; reason, message
   * and observedGeneration are always updated. The input list is not modified and the order of
   * existing conditions is kept.
   */
  public static List<Condition> set(List<Condition> conditions, ConditionType type, boolean status,
      Reason reason, String message, Long observedGeneration, Instant now) {
    String newStatus = status ? TRUE : FALSE;
    Optional<Condition> old = find(conditions, type);
    String since = old.filter(c -> newStatus.equals(c.getStatus()))
        .map(Condition::getLastTransitionTime)
        .orElse(timestamp(now));
    Condition updated = new Condition(since, message, observedGeneration, reason.name(), newStatus, type.name());
    List<Condition> result = new ArrayList<>();
    boolean replaced = false;
    for (Condition c : conditions == null ? List.<Condition>of() : conditions) {
      if (type.name().equals(c.getType())) {
        if (!replaced) {
          result.add(updated);
          replaced = true;
        }
      } else {
        result.add(c);
      }
    }
    if (!replaced) {
      result.add(updated);
    }
    return result;
  }

  /** RFC 3339 in UTC with whole seconds, as metav1.Time serializes. */
  public static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
