package io.fedtt.operator.testing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link FakeWorker.Gate} that holds chosen workers before training a chosen round, so that a
 * test can act on a job mid-round (suspend it, restart the operator, let its deadline pass).
 */
public final class HoldGate implements FakeWorker.Gate {

  private final Map<String, Integer> holds = new ConcurrentHashMap<>();

  /** Holds {@code silo} of {@code job} ("ns/name") before round {@code round} and later; silo "*" holds all. */
  public void hold(String job, String silo, int round) {
    holds.put(job + "|" + silo, round);
  }

  public void release(String job) {
    holds.keySet().removeIf(k -> k.startsWith(job + "|"));
    synchronized (this) {
      notifyAll();
    }
  }

  @Override
  public void beforeTraining(String job, String silo, int round) throws InterruptedException {
    synchronized (this) {
      while (held(job, silo, round)) {
        wait(100);
      }
    }
  }

  private boolean held(String job, String silo, int round) {
    Integer a = holds.get(job + "|" + silo);
    Integer b = holds.get(job + "|*");
    return a != null && round >= a || b != null && round >= b;
  }
}
