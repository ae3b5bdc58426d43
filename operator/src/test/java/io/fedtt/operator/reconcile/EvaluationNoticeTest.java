package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.v1alpha1.EvaluationSpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.operator.testing.Jobs;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EvaluationNoticeTest {

  private static FederatedFineTune withHeldOut(FederatedFineTune job) {
    EvaluationSpec e = new EvaluationSpec();
    e.setData("file:data/eval.jsonl");
    job.getSpec().setEvaluation(e);
    return job;
  }

  @Test
  void warnsWhenOnlySpecEvaluationIsGiven() {
    Optional<String> notice = EvaluationNotice.of(withHeldOut(Jobs.job("ns", "j", 2, "a", "b")).getSpec());
    assertTrue(notice.isPresent());
    assertTrue(notice.get().startsWith("spec.evaluation (file:data/eval.jsonl) is evaluated by fedtt simulate only"),
        notice.get());
    assertTrue(notice.get().contains("which no silo of this job has"), notice.get());
  }

  @Test
  void silentWhenASiloEvaluatesOrNothingIsAskedFor() {
    FederatedFineTune job = withHeldOut(Jobs.job("ns", "j", 2, "a", "b"));
    job.getSpec().getSilos().get(1).getData().setEval("file:data/b-eval.jsonl");
    assertEquals(Optional.empty(), EvaluationNotice.of(job.getSpec()));
    assertEquals(Optional.empty(), EvaluationNotice.of(Jobs.job("ns", "k", 2, "a").getSpec()));
  }

  @Test
  void namesTheDeviceSetForCrossDeviceJobs() {
    FederatedFineTune job = withHeldOut(Jobs.devices("ns", "d", 2, 10, 5, 2));
    assertTrue(EvaluationNotice.of(job.getSpec()).orElseThrow().contains("which no device set of this job has"));
  }
}
