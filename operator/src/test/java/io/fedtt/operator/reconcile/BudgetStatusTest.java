package io.fedtt.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fedtt.api.v1alpha1.status.CommunicationStatus;
import org.junit.jupiter.api.Test;

/** status.communication's budget fields: what was set and what is left, from the same counts as bytesUp/bytesDown. */
class BudgetStatusTest {

  @Test
  void remainingIsTheBudgetLessBothDirections() {
    CommunicationStatus c = new CommunicationStatus();
    c.setBytesUp(300L);
    c.setBytesDown(200L);
    ProgressStatus.applyBudget(c, 1_000);
    assertEquals(1_000L, c.getBudgetBytes());
    assertEquals(500L, c.getBudgetRemainingBytes());
  }

  @Test
  void noBudgetLeavesTheFieldsUnset() {
    CommunicationStatus c = new CommunicationStatus();
    c.setBytesUp(300L);
    ProgressStatus.applyBudget(c, 0);
    assertNull(c.getBudgetBytes());
    assertNull(c.getBudgetRemainingBytes());
  }
}
