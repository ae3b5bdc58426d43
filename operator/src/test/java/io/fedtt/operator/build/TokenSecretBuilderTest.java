package io.fedtt.operator.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.operator.testing.Jobs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenSecretBuilderTest {

  @Test
  void oneDistinctTokenPerSiloWithOwnerAndLabels() {
    FederatedFineTune job = Jobs.job("ns", "j", 1, "a", "b", "c");
    Secret s = TokenSecretBuilder.build(job, WorkerSlots.of(job), Map.of(), TokenRegistry::newToken);
    assertEquals("j-tokens", s.getMetadata().getName());
    assertEquals("tokens", s.getMetadata().getLabels().get(Labels.COMPONENT));
    assertEquals("j", s.getMetadata().getLabels().get(Labels.JOB));
    assertEquals(job.getMetadata().getUid(), s.getMetadata().getOwnerReferences().get(0).getUid());
    Map<String, String> tokens = TokenSecretBuilder.tokens(s);
    assertEquals(List.of("a", "b", "c"), List.copyOf(tokens.keySet()));
    assertEquals(3, tokens.values().stream().distinct().count());
    tokens.values().forEach(t -> assertTrue(t.length() >= 32, t));
    TokenRegistry.of(tokens); // accepted by the federation server
  }

  @Test
  void existingTokensAreNeverRegenerated() {
    FederatedFineTune job = Jobs.job("ns", "j", 1, "a", "b");
    Secret first = TokenSecretBuilder.build(job, WorkerSlots.of(job), Map.of(), TokenRegistry::newToken);
    Map<String, String> before = TokenSecretBuilder.tokens(first);
    FederatedFineTune grown = Jobs.job("ns", "j", 1, "a", "b", "c");
    Secret again = TokenSecretBuilder.build(grown, WorkerSlots.of(grown), before, TokenRegistry::newToken);
    Map<String, String> after = TokenSecretBuilder.tokens(again);
    assertEquals(before.get("a"), after.get("a"));
    assertEquals(before.get("b"), after.get("b"));
    assertNotEquals(after.get("a"), after.get("c"));
    assertTrue(TokenSecretBuilder.covers(again, WorkerSlots.of(grown)));
    Map<String, String> missing = new HashMap<>(before);
    missing.remove("b");
    assertTrue(!TokenSecretBuilder.covers(TokenSecretBuilder.build(job, List.of(WorkerSlots.of(job).get(0)), missing,
        TokenRegistry::newToken), WorkerSlots.of(job)));
  }
}
