package io.fedtt.operator.reconcile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker failures seen so far: each slot's restart count (its failed attempts, never going
 * down: a failed pod seen again, or already replaced, counts once), which slots are failed now, and
 * which of those are failures this reconcile sees for the first time. Pure.
 *
 * @param restarts slot -> failed attempts, including the ones the status recorded before
 * @param failed slots whose newest pod has failed
 * @param newlyFailed the failed slots whose failure is not in the recorded count yet
 */
record PodFailures(Map<String, Integer> restarts, List<SlotState> failed, List<SlotState> newlyFailed) {

  static PodFailures count(List<SlotState> slots, Map<String, Integer> recorded) {
    Map<String, Integer> restarts = new HashMap<>(recorded);
    List<SlotState> failed = new ArrayList<>();
    List<SlotState> newly = new ArrayList<>();
    for (SlotState s : slots) {
      if (s.kind() == SlotState.Kind.FAILED) {
        int before = restarts.getOrDefault(s.slot().name(), 0);
        restarts.put(s.slot().name(), Math.max(before, s.attempt() + 1));
        failed.add(s);
        if (before < s.attempt() + 1) {
          newly.add(s);
        }
      }
    }
    return new PodFailures(restarts, failed, newly);
  }

  /** Failures over all slots: what runPolicy.backoffLimit bounds. */
  int total() {
    return restarts.values().stream().mapToInt(Integer::intValue).sum();
  }

  int restartsOf(String slot) {
    return restarts.getOrDefault(slot, 0);
  }
}
