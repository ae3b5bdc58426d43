package io.fedtt.api.v1alpha1.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * The job's phase, a summary of its conditions. {@link #of} is the only place that maps conditions
 * to a phase, so the two can never disagree.
 */
public enum Phase {
  Pending, Running, Suspended, Succeeded, Failed;

  /**
   * Terminal conditions win over Suspended, which wins over Running; without any true condition
   * the job is Pending.
   */
  public static Phase of(List<Condition> conditions) {
    if (Conditions.isTrue(conditions, ConditionType.Failed)) {
      return Failed;
    }
    if (Conditions.isTrue(conditions, ConditionType.Succeeded)) {
      return Succeeded;
    }
    if (Conditions.isTrue(conditions, ConditionType.Suspended)) {
      return Suspended;
    }
    if (Conditions.isTrue(conditions, ConditionType.Running)) {
      return Running;
    }
    return Pending;
  }

  public boolean isFinished() {
    return this == Succeeded || this == Failed;
  }
}
