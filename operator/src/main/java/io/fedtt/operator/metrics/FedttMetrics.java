package io.fedtt.operator.metrics;

import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.coordinator.Rejection;
import io.fedtt.core.federation.coordinator.RoundListener;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's job metrics. Most series are read at scrape time from the last status each job's
 * reconcile computed (so they restart-proof follow the coordinator's persisted totals); the round
 * duration histogram and the upload counter (accepted, rejected, late) are fed by round events. Labels are namespace and name
 * (plus direction, result or phase), never round or silo ids. {@link #remove} drops every series of
 * a deleted job.
 */
public final class FedttMetrics implements RoundListener {

  public static final String ACCEPTED = "accepted";
  public static final String REJECTED = "rejected";
  public static final String LATE = "late";

  /** What the scrape-time callbacks read for one job. */
  private record View(Phase phase, long rounds, long bytesUp, long bytesDown, Double accuracy, Double best,
                      Double reduction, String encoding, Double epsilon, Long budgetRemaining) {}

  private final Map<JobId, View> jobs = new ConcurrentHashMap<>();
  private final Histogram roundDuration;
  private final Counter siloUpdates;

  public FedttMetrics(PrometheusRegistry registry) {
    CounterWithCallback.builder()
        .name("fedtt_rounds_completed_total")
        .help("Federated rounds aggregated")
        .labelNames("namespace", "name")
        .callback(cb -> jobs.forEach((id, v) -> cb.call(v.rounds(), id.namespace(), id.name())))
        .register(registry);
    CounterWithCallback.builder()
        .name("fedtt_bytes_total")
        .help("Federation body bytes on the wire; up = worker to operator")
        .unit(Unit.BYTES)
        .labelNames("namespace", "name", "direction")
        .callback(cb -> jobs.forEach((id, v) -> {
          cb.call(v.bytesUp(), id.namespace(), id.name(), "up");
          cb.call(v.bytesDown(), id.namespace(), id.name(), "down");
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("fedtt_accuracy")
        .help("Held-out accuracy of the global adapter at the latest evaluation (ratio)")
        .labelNames("namespace", "name")
        .callback(cb -> jobs.forEach((id, v) -> {
          if (v.accuracy() != null) {
            cb.call(v.accuracy(), id.namespace(), id.name());
          }
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("fedtt_best_accuracy")
        .help("Best held-out accuracy of the global adapter so far (ratio)")
        .labelNames("namespace", "name")
        .callback(cb -> jobs.forEach((id, v) -> {
          if (v.best() != null) {
            cb.call(v.best(), id.namespace(), id.name());
          }
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("fedtt_reduction_vs_lora_ratio")
        .help("Bytes federated LoRA would have exchanged divided by the bytes exchanged")
        .labelNames("namespace", "name")
        .callback(cb -> jobs.forEach((id, v) -> {
          if (v.reduction() != null) {
            cb.call(v.reduction(), id.namespace(), id.name());
          }
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("fedtt_communication_encoding_info")
        .help("How a job's adapter values travel on the wire (spec.communication.encoding); always 1")
        .labelNames("namespace", "name", "encoding")
        .callback(cb -> jobs.forEach((id, v) -> {
          if (v.encoding() != null) {
            cb.call(1, id.namespace(), id.name(), v.encoding());
          }
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("fedtt_privacy_epsilon")
        .help("Differential-privacy budget spent so far: epsilon at the job's declared delta (jobs with differential privacy only)")
        .labelNames("namespace", "name")
        .callback(cb -> jobs.forEach((id, v) -> {
          if (v.epsilon() != null) {
            cb.call(v.epsilon(), id.namespace(), id.name());
          }
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("fedtt_communication_budget_remaining_bytes")
        .help("Bytes a job may still move on the wire under spec.communication.budgetBytes (jobs with a budget only)")
        .unit(Unit.BYTES)
        .labelNames("namespace", "name")
        .callback(cb -> jobs.forEach((id, v) -> {
          if (v.budgetRemaining() != null) {
            cb.call(v.budgetRemaining(), id.namespace(), id.name());
          }
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("fedtt_jobs")
        .help("FederatedFineTune jobs known to this operator, by phase")
        .labelNames("phase")
        .callback(cb -> {
          Map<Phase, Integer> n = new EnumMap<>(Phase.class);
          for (Phase p : Phase.values()) {
            n.put(p, 0);
          }
          jobs.values().forEach(v -> n.merge(v.phase(), 1, Integer::sum));
          n.forEach((p, c) -> cb.call(c, p.name()));
        })
        .register(registry);
    roundDuration = Histogram.builder()
        .name("fedtt_round_duration_seconds")
        .help("Wall time of completed federated rounds")
        .unit(Unit.SECONDS)
        .labelNames("namespace", "name")
        .classicOnly()
        .classicUpperBounds(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
        .register(registry);
    siloUpdates = Counter.builder()
        .name("fedtt_silo_updates_total")
        .help("Updates uploaded by workers, by result")
        .labelNames("namespace", "name", "result")
        .register(registry);
  }

  /** Records what the reconcile computed for a job. */
  public void update(JobId job, FederatedFineTuneStatus st) {
    long rounds = st.getRound() == null || st.getRound().getCompleted() == null ? 0 : st.getRound().getCompleted();
    var c = st.getCommunication();
    var m = st.getMetrics();
    jobs.put(job, new View(st.getPhase(), rounds,
        c == null || c.getBytesUp() == null ? 0 : c.getBytesUp(),
        c == null || c.getBytesDown() == null ? 0 : c.getBytesDown(),
        m == null ? null : m.getAccuracy(), m == null ? null : m.getBestAccuracy(),
        c == null ? null : c.getReductionVsLora(), c == null ? null : c.getEncoding(),
        st.getPrivacy() == null ? null : st.getPrivacy().getEpsilon(),
        c == null ? null : c.getBudgetRemainingBytes()));
  }

  /** Drops every series of a deleted job. */
  public void remove(JobId job) {
    jobs.remove(job);
    roundDuration.remove(job.namespace(), job.name());
    for (String r : new String[] {ACCEPTED, REJECTED, LATE}) {
      siloUpdates.remove(job.namespace(), job.name(), r);
    }
  }

  /**
   * Counts an upload the coordinator refused: after its round closed ({@link #LATE}) or for any other
   * reason ({@link #REJECTED}); "busy, retry" answers are not outcomes and are not counted.
   */
  @Override
  public void updateRefused(JobId job, int round, String participant, Rejection.Kind kind, String message) {
    if (kind == Rejection.Kind.BUSY) {
      return;
    }
    siloUpdates.labelValues(job.namespace(), job.name(), kind == Rejection.Kind.GONE ? LATE : REJECTED).inc();
  }

  @Override
  public void updateAccepted(JobId job, int round, String participant, int received, int selected) {
    siloUpdates.labelValues(job.namespace(), job.name(), ACCEPTED).inc();
  }

  @Override
  public void roundCompleted(JobId job, RoundRecord record) {
    roundDuration.labelValues(job.namespace(), job.name()).observe(record.durationMillis() / 1000.0);
  }
}
