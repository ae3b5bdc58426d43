package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.build.WorkerSlot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The observed state of one worker slot: its newest pod (highest attempt) and what that pod is
 * doing. Older pods of the slot (failed attempts not yet deleted) are listed in {@link #stale}.
 */
public record SlotState(WorkerSlot slot, Pod pod, int attempt, Kind kind, Optional<PodProblem> problem, List<Pod> stale) {

  public enum Kind { MISSING, PENDING, RUNNING, SUCCEEDED, FAILED, TERMINATING }

  public static SlotState observe(WorkerSlot slot, List<Pod> podsOfSlot) {
    Pod newest = null;
    int best = -1;
    List<Pod> older = new ArrayList<>();
    for (Pod p : podsOfSlot) {
      int a = attempt(p);
      if (a > best) {
        if (newest != null) {
          older.add(newest);
        }
        newest = p;
        best = a;
      } else {
        older.add(p);
      }
    }
    if (newest == null) {
      return new SlotState(slot, null, -1, Kind.MISSING, Optional.empty(), older);
    }
    return new SlotState(slot, newest, best, kindOf(newest), PodProblem.of(newest), older);
  }

  /** Groups pods by their slot label. */
  public static Map<String, List<Pod>> bySlot(Iterable<Pod> pods) {
    Map<String, List<Pod>> m = new java.util.HashMap<>();
    for (Pod p : pods) {
      Map<String, String> l = p.getMetadata().getLabels();
      String slot = l == null ? null : l.get(Labels.SILO);
      if (slot != null) {
        m.computeIfAbsent(slot, k -> new ArrayList<>()).add(p);
      }
    }
    return m;
  }

  static int attempt(Pod p) {
    Map<String, String> l = p.getMetadata().getLabels();
    try {
      return l == null || l.get(Labels.ATTEMPT) == null ? 0 : Integer.parseInt(l.get(Labels.ATTEMPT));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static Kind kindOf(Pod p) {
    if (p.getMetadata().getDeletionTimestamp() != null) {
      return Kind.TERMINATING;
    }
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    if (phase == null) {
      return Kind.PENDING;
    }
    return switch (phase) {
      case "Running" -> Kind.RUNNING;
      case "Succeeded" -> Kind.SUCCEEDED;
      case "Failed" -> Kind.FAILED;
      default -> Kind.PENDING;
    };
  }
}
