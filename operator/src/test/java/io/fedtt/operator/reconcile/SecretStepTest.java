package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fedtt.operator.build.Names;
import io.fedtt.operator.build.TokenSecretBuilder;
import io.fedtt.operator.testing.Jobs;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class SecretStepTest {

  static KubernetesClient client;

  @Test
  void oneTokenPerSlotKeptAcrossReconcilesAndAddedForNewSilos() {
    var job = Jobs.job("sec", "j", 2, "a", "b");
    var rc = StepFixtures.context(job, client, List.of(), null);
    assertEquals(StepResult.Flow.CONTINUE, new SecretStep().run(rc).flow());
    assertEquals(Set.of("a", "b"), rc.tokens.keySet());
    assertEquals(2, rc.wanted.size());
    var written = client.secrets().inNamespace("sec").withName(Names.secret(job)).get();
    assertNotNull(written);
    assertEquals(rc.tokens, TokenSecretBuilder.tokens(written));

    // the informer has not seen the Secret yet: it is read from the API, not written again
    var again = StepFixtures.context(job, client, List.of(), null);
    new SecretStep().run(again);
    assertEquals(rc.tokens, again.tokens);

    var grown = Jobs.job("sec", "j", 2, "a", "b", "c");
    var more = StepFixtures.context(grown, client, List.of(), null);
    new SecretStep().run(more);
    assertEquals(rc.tokens.get("a"), more.tokens.get("a"));
    assertEquals(rc.tokens.get("b"), more.tokens.get("b"));
    assertNotNull(more.tokens.get("c"));
  }
}
