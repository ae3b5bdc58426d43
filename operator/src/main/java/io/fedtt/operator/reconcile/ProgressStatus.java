package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.status.CommunicationStatus;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.MetricsStatus;
import io.fedtt.api.v1alpha1.status.RoundStatus;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.core.federation.RoundRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies the coordinator's figures into the resource's status: round progress, bytes on the wire
 * with the LoRA and full-model comparison, accuracy, and the bounded per-round history. Pure: the
 * same coordinator state always gives the same status, so an unchanged job patches nothing.
 */
public final class ProgressStatus {

  private ProgressStatus() {}

  public static void apply(FederatedFineTuneStatus st, JobStatus job, List<RoundRecord> history, Accounting acc) {
    apply(st, job, history, acc, 0);
  }

  /**
   * As {@link #apply(FederatedFineTuneStatus, JobStatus, List, Accounting)}, plus the byte budget
   * ({@code spec.communication.budgetBytes}; 0 = none) and what is left of it.
   */
  public static void apply(FederatedFineTuneStatus st, JobStatus job, List<RoundRecord> history, Accounting acc,
      long budgetBytes) {
    RoundStatus round = new RoundStatus();
    round.setCurrent(job.phase().finished() ? job.completedRounds() : job.round());
    round.setCompleted(job.completedRounds());
    round.setTotal(job.totalRounds());
    st.setRound(round);

    List<RoundRecord> done = history.stream().filter(RoundRecord::completed).toList();
    CommunicationStatus c = new CommunicationStatus();
    c.setBytesUp(job.bytesUp());
    c.setBytesDown(job.bytesDown());
    if (!done.isEmpty()) {
      RoundRecord last = done.get(done.size() - 1);
      c.setLastRoundBytes(last.bytesUp() + last.bytesDown());
    }
    if (acc != null) {
      c.setEncoding(acc.baseline().encoding().wireName());
      c.setParametersPerUpdate(done.isEmpty() ? acc.adapterParameters()
          : acc.parametersOf(done.get(done.size() - 1).trainable()));
      long transfers = 0;
      long exchanged = 0;
      for (RoundRecord r : done) {
        transfers += r.transfers();
        exchanged += r.bytesUp() + r.bytesDown();
      }
      if (transfers > 0) {
        long lora = acc.baseline().loraBytes(transfers);
        c.setLoraEquivalentBytes(lora);
        c.setFullModelBytes(acc.baseline().fullBytes(transfers));
        if (exchanged > 0) {
          c.setReductionVsLora(round4((double) lora / exchanged));
        }
      }
    }
    st.setCommunication(c);
    applyBudget(c, budgetBytes);

    MetricsStatus m = null;
    for (RoundRecord r : done) {
      if (!Double.isNaN(r.accuracy()) || !Double.isNaN(r.loss())) {
        if (m == null) {
          m = new MetricsStatus();
        }
        if (!Double.isNaN(r.accuracy())) {
          m.setAccuracy(r.accuracy());
          m.setBestAccuracy(m.getBestAccuracy() == null ? r.accuracy() : Math.max(m.getBestAccuracy(), r.accuracy()));
        }
        m.setLoss(Double.isNaN(r.loss()) ? null : r.loss());
      }
    }
    st.setMetrics(m);

    List<io.fedtt.api.v1alpha1.status.RoundRecord> out = new ArrayList<>();
    for (RoundRecord r : done) {
      out.add(record(r));
    }
    st.setHistory(null);
    for (var r : out) {
      st.addHistory(r);
    }
  }

  /** budgetBytes and budgetRemainingBytes, from the same totals as bytesUp and bytesDown; unset without a budget. */
  static void applyBudget(CommunicationStatus c, long budgetBytes) {
    if (budgetBytes <= 0) {
      return;
    }
    c.setBudgetBytes(budgetBytes);
    long used = (c.getBytesUp() == null ? 0 : c.getBytesUp()) + (c.getBytesDown() == null ? 0 : c.getBytesDown());
    c.setBudgetRemainingBytes(Math.max(0, budgetBytes - used));
  }

  static io.fedtt.api.v1alpha1.status.RoundRecord record(RoundRecord r) {
    var o = new io.fedtt.api.v1alpha1.status.RoundRecord();
    o.setRound(r.round());
    o.setParticipants(r.participants().size());
    o.setStragglers(r.stragglers().size());
    o.setBytesUp(r.bytesUp());
    o.setBytesDown(r.bytesDown());
    o.setSeconds(r.durationMillis() / 1000.0);
    o.setAccuracy(Double.isNaN(r.accuracy()) ? null : r.accuracy());
    o.setLoss(Double.isNaN(r.loss()) ? null : r.loss());
    o.setTrainableCores((int) r.trainable().stream().filter(ProgressStatus::isCore).count());
    return o;
  }

  /** TT cores are the tensors the adapter layout names "{layer}.cores.{k}". */
  static boolean isCore(String tensor) {
    return tensor.matches(".*\\.cores\\.\\d+");
  }

  static double round4(double v) {
    return Math.round(v * 1e4) / 1e4;
  }
}
