package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.core.federation.JobId;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.federation.FederationHost;
import io.fedtt.operator.federation.RoundEventSource;
import io.fedtt.operator.metrics.FedttMetrics;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.util.List;

/**
 * Reconciles a FederatedFineTune as ordered {@link ReconcileStep}s, chosen by the job's state:
 *
 * <ul>
 *   <li>not ended: observe -> validate -> secret -> suspend -> model -> host -> progress -> deadline -> pods;
 *   <li>ended in an earlier reconcile: observe -> finish (pods, grace, ttl).
 * </ul>
 *
 * Each step says whether to go on; one that ends the job (a typed failure, or the coordinator's
 * outcome) hands over to {@link FinishStep}. The reconcile ends with the status written only when it
 * changed, events on transitions, and a requeue at the earliest time a step asked for. Round progress
 * arrives through {@link RoundEventSource}, pod changes through a label-selected informer; nothing polls.
 *
 * <p>Typed outcomes (invalid spec, backoff limit, deadline, failed rounds) become conditions and a
 * Warning event and are not retried; unexpected exceptions propagate so JOSDK retries with backoff.
 */
public final class FederatedFineTuneReconciler implements Reconciler<FederatedFineTune>, Cleaner<FederatedFineTune> {

  static final String SECRETS = "fedtt-secrets";
  static final String PODS = "fedtt-pods";
  /** How long running workers of a succeeded job have to exit by themselves before their pods are deleted. */
  static final Duration WORKER_EXIT_GRACE = FinishStep.WORKER_EXIT_GRACE;

  private final RoundEventSource rounds;
  private final ReconcilerSettings settings;
  private final StepRunner steps;
  private final StatusPublisher publisher;
  private final JobCleanup cleanup;
  private final StatusWriter statusWriter = new StatusWriter();
  private final boolean ssa;

  public FederatedFineTuneReconciler(FederationHost host, RoundEventSource rounds, FedttMetrics metrics,
      ReconcilerSettings settings, boolean serverSideApply) {
    this.rounds = rounds;
    this.settings = settings;
    this.ssa = serverSideApply;
    ObserveStep observe = new ObserveStep();
    HostStep hostStep = new HostStep(host);
    PodsStep pods = new PodsStep(settings);
    FinishStep finish = new FinishStep(host);
    ModelStep model = new ModelStep(settings);
    this.steps = new StepRunner(
        List.of(observe, new ValidateStep(settings.validator()), new SecretStep(), new SuspendStep(host), model,
            hostStep, new ProgressStep(), new DeadlineStep(), pods),
        List.of(observe, finish),
        finish);
    this.publisher = new StatusPublisher(metrics, statusWriter, settings.clock(), serverSideApply);
    this.cleanup = new JobCleanup(host, metrics, List.of(hostStep::forget, pods::forget, model::forget,
        statusWriter::forget));
  }

  @Override
  public List<EventSource<?, FederatedFineTune>> prepareEventSources(EventSourceContext<FederatedFineTune> context) {
    var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, FederatedFineTune.class)
        .withName(PODS).withLabelSelector(Labels.SELECTOR).build(), context);
    var secrets = new InformerEventSource<>(InformerEventSourceConfiguration.from(Secret.class, FederatedFineTune.class)
        .withName(SECRETS).withLabelSelector(Labels.SELECTOR).build(), context);
    return List.of(pods, secrets, rounds);
  }

  @Override
  public UpdateControl<FederatedFineTune> reconcile(FederatedFineTune job, Context<FederatedFineTune> ctx) {
    long t0 = System.nanoTime();
    try {
      ReconcileContext rc = contextFor(job, ctx);
      steps.run(rc);
      return publisher.publish(rc);
    } finally {
      settings.reconcileNanos().accept(System.nanoTime() - t0);
    }
  }

  private ReconcileContext contextFor(FederatedFineTune job, Context<FederatedFineTune> ctx) {
    var id = new JobId(job.getMetadata().getNamespace(), job.getMetadata().getName());
    // Without server-side apply our own last write may be newer than the informer's copy.
    var latest = ssa ? job.getStatus() : statusWriter.latest(id, job);
    return new ReconcileContext(job, ctx.getClient(), ReconcileContext.Observed.of(
        () -> ctx.getSecondaryResources(Pod.class), () -> ctx.getSecondaryResource(Secret.class)),
        latest, settings.clock().instant());
  }

  @Override
  public DeleteControl cleanup(FederatedFineTune job, Context<FederatedFineTune> ctx) {
    cleanup.run(job, ctx.getClient());
    return DeleteControl.defaultDelete();
  }
}
