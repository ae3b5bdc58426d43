package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fedtt.operator.testing.Jobs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodFailuresTest {

  private final io.fedtt.api.v1alpha1.FederatedFineTune job = Jobs.job("ns", "j", 2, "a", "b", "c");

  private SlotState observed(String slot, int attempt, String phase) {
    return SlotState.observe(StepFixtures.slot(job, slot), List.of(StepFixtures.pod(job, slot, attempt, phase)));
  }

  @Test
  void aFailedAttemptCountsOnceAndOnlyTheFirstTimeIsNew() {
    var first = PodFailures.count(List.of(observed("a", 0, "Failed"), observed("b", 0, "Running")), Map.of());
    assertEquals(Map.of("a", 1), first.restarts());
    assertEquals(1, first.newlyFailed().size());
    assertEquals(1, first.total());

    var again = PodFailures.count(List.of(observed("a", 0, "Failed"), observed("b", 0, "Running")), first.restarts());
    assertEquals(Map.of("a", 1), again.restarts());
    assertEquals(1, again.failed().size());
    assertEquals(0, again.newlyFailed().size());
  }

  @Test
  void countsNeverGoDownAndSumOverSlots() {
    var f = PodFailures.count(List.of(observed("a", 1, "Failed"), observed("b", 0, "Succeeded")),
        Map.of("a", 1, "c", 2));
    assertEquals(2, f.restartsOf("a"));
    assertEquals(0, f.restartsOf("b"));
    assertEquals(4, f.total());
  }
}
