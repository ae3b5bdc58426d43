package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fedtt.api.v1alpha1.status.Conditions;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Emits core/v1 Events about a job. Callers emit only on transitions (a condition turning true, a
 * pod failing), never once per reconcile, so the useful events are not rate-limited away. A
 * failure to record an event is logged and otherwise ignored.
 */
public final class EventRecorder {

  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";
  private static final System.Logger LOG = System.getLogger(EventRecorder.class.getName());
  private static final AtomicLong SEQ = new AtomicLong();

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void record(HasMetadata about, String type, String reason, String message) {
    String now = Conditions.timestamp(clock.instant());
    String ns = about.getMetadata().getNamespace();
    Event e = new EventBuilder()
        .withNewMetadata()
          .withName(about.getMetadata().getName() + "." + Long.toHexString(clock.millis())
              + Long.toHexString(SEQ.incrementAndGet()))
          .withNamespace(ns)
        .endMetadata()
        .withNewInvolvedObject()
          .withApiVersion(about.getApiVersion())
          .withKind(about.getKind())
          .withName(about.getMetadata().getName())
          .withNamespace(ns)
          .withUid(about.getMetadata().getUid())
        .endInvolvedObject()
        .withType(type)
        .withReason(reason)
        .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource().withComponent("fedtt-operator").endSource()
        .withReportingComponent("fedtt-operator")
        .build();
    try {
      client.v1().events().inNamespace(ns).resource(e).create();
    } catch (RuntimeException ex) {
      LOG.log(System.Logger.Level.WARNING, "cannot record event " + reason + " for " + ns + "/"
          + about.getMetadata().getName() + ": " + ex.getMessage());
    }
  }
}
