package io.fedtt.api.v1alpha1.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTest {
  static final Instant T0 = Instant.parse("2025-01-01T00:00:00.123Z");
  static final Instant T1 = Instant.parse("2025-01-01T00:05:00Z");
  final KubernetesSerialization json = new KubernetesSerialization();

  @Test
  void phaseFollowsConditionsWithTerminalStatesFirst() {
    assertEquals(Phase.Pending, Phase.of(null));
    assertEquals(Phase.Pending, Phase.of(List.of()));
    List<Condition> c = Conditions.set(List.of(), ConditionType.Created, true, Reason.ResourcesCreated, "", 1L, T0);
    assertEquals(Phase.Pending, Phase.of(c));
    c = Conditions.set(c, ConditionType.Running, true, Reason.RoundInProgress, "round 1", 1L, T0);
    assertEquals(Phase.Running, Phase.of(c));
    c = Conditions.set(c, ConditionType.Suspended, true, Reason.SuspendedByUser, "", 1L, T0);
    assertEquals(Phase.Suspended, Phase.of(c));
    c = Conditions.set(c, ConditionType.Suspended, false, Reason.Resumed, "", 1L, T0);
    assertEquals(Phase.Running, Phase.of(c));
    c = Conditions.set(c, ConditionType.Succeeded, true, Reason.AllRoundsCompleted, "", 1L, T0);
    assertEquals(Phase.Succeeded, Phase.of(c));
    c = Conditions.set(c, ConditionType.Failed, true, Reason.DeadlineExceeded, "", 1L, T0);
    assertEquals(Phase.Failed, Phase.of(c));
    assertTrue(Phase.Failed.isFinished() && !Phase.Running.isFinished());
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenStatusChanges() {
    List<Condition> first = Conditions.set(null, ConditionType.Running, true, Reason.WaitingForSilos, "waiting", 1L, T0);
    assertEquals("2025-01-01T00:00:00Z", first.get(0).getLastTransitionTime());
    List<Condition> same = Conditions.set(first, ConditionType.Running, true, Reason.RoundInProgress, "round 2", 2L, T1);
    assertEquals("2025-01-01T00:00:00Z", same.get(0).getLastTransitionTime());
    assertEquals("RoundInProgress", same.get(0).getReason());
    assertEquals("round 2", same.get(0).getMessage());
    assertEquals(2L, same.get(0).getObservedGeneration());
    List<Condition> flipped = Conditions.set(same, ConditionType.Running, false, Reason.AllRoundsCompleted, "", 2L, T1);
    assertEquals("2025-01-01T00:05:00Z", flipped.get(0).getLastTransitionTime());
    assertEquals("False", flipped.get(0).getStatus());
    assertEquals("True", first.get(0).getStatus(), "inputs are not modified");
  }

  @Test
  void setKeepsOrderAndOneEntryPerType() {
    List<Condition> c = Conditions.set(null, ConditionType.Created, true, Reason.ResourcesCreated, "", 1L, T0);
    c = Conditions.set(c, ConditionType.Running, true, Reason.RoundInProgress, "", 1L, T0);
    List<Condition> duplicated = new ArrayList<>(c);
    duplicated.add(c.get(0));
    c = Conditions.set(duplicated, ConditionType.Created, true, Reason.ResourcesCreated, "again", 1L, T1);
    assertEquals(List.of("Created", "Running"), c.stream().map(Condition::getType).toList());
  }

  @Test
  void historyIsBoundedOrderedAndIdempotentPerRound() {
    List<RoundRecord> history = null;
    for (int r = 150; r >= 1; r--) {
      history = History.append(history, record(r, 0.5));
    }
    assertEquals(History.MAX_ROUNDS, history.size());
    assertEquals(51, history.get(0).getRound());
    assertEquals(150, history.get(99).getRound());
    history = History.append(history, record(150, 0.9));
    assertEquals(History.MAX_ROUNDS, history.size());
    assertEquals(0.9, history.get(99).getAccuracy());
  }

  @Test
  void derivedFieldsAreSerializedAndNeverReadBack() {
    FederatedFineTuneStatus status = new FederatedFineTuneStatus();
    status.setCondition(ConditionType.Running, true, Reason.RoundInProgress, "round 4", 3L, T0);
    RoundStatus round = new RoundStatus();
    round.setCurrent(4);
    round.setCompleted(3);
    round.setTotal(10);
    status.setRound(round);
    CommunicationStatus comm = new CommunicationStatus();
    comm.setBytesUp(700_000L);
    comm.setBytesDown(500_000L);
    comm.setReductionVsLora(9.84);
    status.setCommunication(comm);
    status.addHistory(record(3, 0.81));

    JsonNode tree = json.convertValue(status, JsonNode.class);
    assertEquals("Running", tree.path("phase").asText());
    assertEquals("3/10", tree.path("round").path("display").asText());
    assertEquals("1.2 MB, 9.8x<LoRA", tree.path("communication").path("display").asText());
    assertTrue(tree.path("metrics").isMissingNode(), "nulls are omitted");

    ((com.fasterxml.jackson.databind.node.ObjectNode) tree).put("phase", "Failed");
    FederatedFineTuneStatus back = json.convertValue(tree, FederatedFineTuneStatus.class);
    assertEquals(Phase.Running, back.getPhase());
    assertEquals(status, back);
    assertEquals(status.hashCode(), back.hashCode());
    back.getRound().setCompleted(4);
    assertNotEquals(status, back);
  }

  @Test
  void displaysForEmptyAndSmallValues() {
    assertNull(new RoundStatus().getDisplay());
    assertNull(new CommunicationStatus().getDisplay());
    assertEquals("999 B", CommunicationStatus.humanBytes(999));
    assertEquals("1.0 kB", CommunicationStatus.humanBytes(1000));
    assertEquals("2.5 GB", CommunicationStatus.humanBytes(2_500_000_000L));
    CommunicationStatus comm = new CommunicationStatus();
    comm.setBytesUp(10L);
    assertEquals("10 B", comm.getDisplay());
    comm.setBytesUp(1_200_000L);
    comm.setBudgetBytes(5_000_000L);
    comm.setReductionVsLora(9.8);
    assertEquals("1.2 MB of 5.0 MB, 9.8x<LoRA", comm.getDisplay(), "kubectl get's Comm column shows the budget");
  }

  private static RoundRecord record(int round, double accuracy) {
    RoundRecord r = new RoundRecord();
    r.setRound(round);
    r.setParticipants(3);
    r.setAccuracy(accuracy);
    return r;
  }
}
