package io.fedtt.operator.reconcile;

import static io.fedtt.operator.reconcile.StepFixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.operator.testing.Jobs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepRunnerTest {

  private final List<String> ran = new ArrayList<>();

  private ReconcileStep step(String name, StepResult result) {
    return rc -> {
      ran.add(name);
      return result;
    };
  }

  private StepRunner runner(List<ReconcileStep> active) {
    return new StepRunner(active, List.of(step("observe", StepResult.proceed()), step("finish", StepResult.stop())),
        step("finish", StepResult.stop(NOW.plusSeconds(30))));
  }

  @Test
  void runsInOrderUntilAStepStopsAndKeepsTheEarliestRequeue() {
    var rc = StepFixtures.context(Jobs.job("ns", "j", 2, "a"), null);
    runner(List.of(step("one", StepResult.proceed(NOW.plusSeconds(60))), step("two", StepResult.proceed(NOW.plusSeconds(10))),
        step("three", StepResult.stop()), step("four", StepResult.proceed()))).run(rc);
    assertEquals(List.of("one", "two", "three"), ran);
    assertEquals(NOW.plusSeconds(10), rc.requeueAt);
  }

  @Test
  void aStepThatEndsTheJobHandsOverToFinishWithItsFailure() {
    var rc = StepFixtures.context(Jobs.job("ns", "j", 2, "a"), null);
    runner(List.of(step("one", StepResult.fail(Reason.DeadlineExceeded, "too long")), step("two", StepResult.proceed())))
        .run(rc);
    assertEquals(List.of("one", "finish"), ran);
    assertEquals(Reason.DeadlineExceeded, rc.failure.reason());
    assertEquals(NOW.plusSeconds(30), rc.requeueAt);
  }

  @Test
  void theCoordinatorsEndReachesFinishWithoutAFailure() {
    var rc = StepFixtures.context(Jobs.job("ns", "j", 2, "a"), null);
    runner(List.of(step("progress", StepResult.coordinatorFinished()))).run(rc);
    assertEquals(List.of("progress", "finish"), ran);
    assertNull(rc.failure);
  }

  @Test
  void aJobThatEndedBeforeGetsOnlyTheEndedSteps() {
    var rc = StepFixtures.context(Jobs.job("ns", "j", 2, "a"),
        StepFixtures.withCondition(ConditionType.Succeeded, true, Reason.AllRoundsCompleted));
    runner(List.of(step("one", StepResult.proceed()))).run(rc);
    assertEquals(List.of("observe", "finish"), ran);
  }

  @Test
  void anInvalidSpecEditedSinceIsLookedAtAfresh() {
    var job = Jobs.job("ns", "j", 2, "a");
    var invalid = StepFixtures.withCondition(ConditionType.Failed, true, Reason.InvalidSpec);
    invalid.setObservedGeneration(1L);
    job.getMetadata().setGeneration(2L);
    runner(List.of(step("validate", StepResult.stop()))).run(StepFixtures.context(job, invalid));
    assertEquals(List.of("validate"), ran);
  }
}
