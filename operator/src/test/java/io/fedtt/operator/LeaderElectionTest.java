package io.fedtt.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.operator.testing.FakeWorker;
import io.fedtt.operator.testing.Jobs;
import io.fedtt.operator.testing.OperatorHarness;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With leader election on, the operator takes the Lease, reports ready only then, and runs jobs. */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {

  static KubernetesClient client;
  static KubernetesMockServer server;
  @TempDir
  static Path store;

  @Test
  void leaderTakesTheLeaseAndRunsJobs() throws Exception {
    // JOSDK checks its Lease permissions with a SelfSubjectRulesReview, which the CRUD mock cannot answer.
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewMetadata().endMetadata()
            .withNewSpec().withNamespace("fedtt-system").endSpec()
            .withNewStatus().withIncomplete(false)
              .addNewResourceRule().withApiGroups("*").withResources("*").withVerbs("*").endResourceRule()
            .endStatus().build())
        .always();
    try (OperatorHarness h = OperatorHarness.start(client, store,
        OperatorSettings.forTests(store).withLeaderElection("fedtt-lock", "fedtt-system"), new FakeWorker())) {
      OperatorHarness.until("lease held", Duration.ofSeconds(30), () -> {
        Lease l = client.leases().inNamespace("fedtt-system").withName("fedtt-lock").get();
        return l != null && l.getSpec().getHolderIdentity() != null;
      });
      h.create(Jobs.job("le", "led", 1, "a"));
      assertNotNull(h.awaitPhase("le", "led", Phase.Succeeded, Duration.ofSeconds(60)));
      OperatorHarness.until("ready", Duration.ofSeconds(10), () -> {
        try {
          return h.http("/readyz").statusCode() == 200;
        } catch (Exception e) {
          return false;
        }
      });
      assertEquals(200, h.http("/healthz").statusCode());
    }
  }
}
