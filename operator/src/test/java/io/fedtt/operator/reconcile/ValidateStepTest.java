package io.fedtt.operator.reconcile;

import static io.fedtt.operator.reconcile.StepFixtures.isTrue;
import static io.fedtt.operator.reconcile.StepFixtures.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.operator.testing.Jobs;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidateStepTest {

  @Test
  void anInvalidSpecStopsWithTheFirstProblemAndHowManyMore() {
    var rc = StepFixtures.context(Jobs.job("ns", "j", 2, "a"), null);
    var step = new ValidateStep(job -> List.of(new SpecProblem("spec.rounds.total", "must be >= 1"),
        new SpecProblem("spec.silos", "empty")));
    assertEquals(StepResult.Flow.STOP, step.run(rc).flow());
    assertTrue(isTrue(rc, ConditionType.Failed));
    assertEquals("InvalidSpec", reason(rc, ConditionType.Failed));
    assertEquals("spec.rounds.total: must be >= 1 (and 1 more: [spec.silos: empty])",
        Conditions.find(rc.status.getConditions(), ConditionType.Failed).orElseThrow().getMessage());
    assertFalse(isTrue(rc, ConditionType.Running));
  }

  @Test
  void aValidSpecGoesOn() {
    var rc = StepFixtures.context(Jobs.job("ns", "j", 2, "a"), null);
    assertEquals(StepResult.Flow.CONTINUE, new ValidateStep(job -> List.of()).run(rc).flow());
  }

  @Test
  void aFixedSpecClearsTheInvalidSpecCondition() {
    var job = Jobs.job("ns", "j", 2, "a");
    job.getMetadata().setGeneration(2L);
    var rc = StepFixtures.context(job, StepFixtures.withCondition(ConditionType.Failed, true, Reason.InvalidSpec));
    assertEquals(StepResult.Flow.CONTINUE, new ValidateStep(j -> List.of()).run(rc).flow());
    assertFalse(isTrue(rc, ConditionType.Failed));
    assertEquals("the spec is valid as of generation 2",
        Conditions.find(rc.status.getConditions(), ConditionType.Failed).orElseThrow().getMessage());
  }

  @Test
  void anUnknownBuiltinModelIsInvalid() {
    var job = Jobs.job("ns", "j", 2, "a");
    job.getSpec().getModel().setUri("builtin:bert-large");
    var rc = StepFixtures.context(job, null);
    assertEquals(StepResult.Flow.STOP, new ValidateStep(j -> List.of()).run(rc).flow());
    assertTrue(Conditions.find(rc.status.getConditions(), ConditionType.Failed).orElseThrow().getMessage()
        .contains("'builtin:bert-large' is not a built-in model"));
  }

  @Test
  void aModelNamedByItsUriAloneIsLeftToTheModelStep() {
    var job = Jobs.job("ns", "j", 2, "a");
    job.getSpec().getModel().setUri("hf:someone/some-model");
    var rc = StepFixtures.context(job, null);
    assertEquals(StepResult.Flow.CONTINUE, new ValidateStep(j -> List.of()).run(rc).flow());
  }
}
