package io.fedtt.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.DifferentialPrivacySpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.PrivacySpec;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.core.privacy.RdpAccountant;
import io.fedtt.operator.OperatorSettings;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.OperatorHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job with central differential privacy on the operator: epsilon in status and in /metrics after
 * its rounds, and targetEpsilon ending it (Succeeded, reason PrivacyBudgetExhausted) before the round
 * that would exceed it.
 */
@EnableKubernetesMockClient(crud = true)
class PrivacyStatusTest {

  static KubernetesClient client;
  @TempDir
  static Path store;
  static OperatorHarness h;

  @AfterAll
  static void stop() {
    if (h != null) {
      h.close();
    }
  }

  @Test
  void epsilonIsReportedAndTheBudgetEndsTheJob() throws Exception {
    h = OperatorHarness.start(client, store, OperatorSettings.forTests(store), new FakeWorker());
    // both silos every round (q = 1), noise multiplier 3: the target lies between 2 and 3 rounds' epsilon
    double e2 = RdpAccountant.epsilon(1, 3, 2, 1e-5);
    double e3 = RdpAccountant.epsilon(1, 3, 3, 1e-5);
    FederatedFineTune job = Jobs.job("p1", "private", 5, "a", "b");
    DifferentialPrivacySpec dp = new DifferentialPrivacySpec();
    dp.setClipNorm(1.0);
    dp.setNoiseMultiplier(3.0);
    dp.setTargetEpsilon((e2 + e3) / 2);
    PrivacySpec privacy = new PrivacySpec();
    privacy.setDifferentialPrivacy(dp);
    job.getSpec().setPrivacy(privacy);
    h.create(job);
    FederatedFineTune done = h.awaitPhase("p1", "private", Phase.Succeeded, Duration.ofSeconds(60));

    var st = done.getStatus();
    assertEquals(2, st.getRound().getCompleted());
    assertEquals(Reason.PrivacyBudgetExhausted.name(),
        Conditions.find(st.getConditions(), ConditionType.Succeeded).orElseThrow().getReason());
    assertEquals("central", st.getPrivacy().getMode());
    assertEquals(2L, st.getPrivacy().getReleases());
    assertEquals(e2, st.getPrivacy().getEpsilon(), 1e-4);
    assertEquals(1e-5, st.getPrivacy().getDelta());

    var r = h.http("/metrics");
    Scrape s = Scrape.parse(r.body());
    assertEquals(st.getPrivacy().getEpsilon(), s.value("fedtt_privacy_epsilon",
        Map.of("namespace", "p1", "name", "private")).orElseThrow(), 1e-12);
  }
}
