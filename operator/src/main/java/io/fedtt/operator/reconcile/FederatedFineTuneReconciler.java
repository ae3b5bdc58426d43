package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.v1alpha1.CleanPodPolicy;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.RunPolicy;
import io.fedtt.api.v1alpha1.status.ConditionType;
import io.fedtt.api.v1alpha1.status.Conditions;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.api.v1alpha1.status.Phase;
import io.fedtt.api.v1alpha1.status.Reason;
import io.fedtt.api.v1alpha1.status.SiloStatus;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.JobOutcome;
import io.fedtt.core.federation.JobPhase;
import io.fedtt.core.federation.JobStatus;
import io.fedtt.core.federation.RoundRecord;
import io.fedtt.core.federation.coordinator.AdapterPayload;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.StoreCorruptedException;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.build.TokenSecretBuilder;
import io.fedtt.operator.build.WorkerPodBuilder;
import io.fedtt.operator.build.WorkerSlot;
import io.fedtt.operator.build.WorkerSlots;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Reconciles a FederatedFineTune: observe (pods, Secret, the coordinator's round state) -> validate
 * (the spec) -> act (Secret, pods with backoff, coordinator hosting, suspend, deadline, output,
 * clean-up) -> status, patched only when it changed. Round progress arrives through
 * {@link RoundEventSource}, pod changes through a label-selected informer; nothing polls.
 *
 * <p>Typed outcomes (invalid spec, backoff limit, deadline, failed rounds) become conditions and a
 * Warning event and are not retried; unexpected exceptions propagate so JOSDK retries with backoff.
 */
public final class FederatedFineTuneReconciler implements Reconciler<FederatedFineTune>, Cleaner<FederatedFineTune> {

  private static final System.Logger LOG = System.getLogger(FederatedFineTuneReconciler.class.getName());
  static final String SECRETS = "fedtt-secrets";
  static final String PODS = "fedtt-pods";

  private final FederationHost host;
  private final RoundEventSource rounds;
  private final FedttMetrics metrics;
  private final ReconcilerSettings settings;
  private final boolean ssa;
  /** When each slot's latest failure was first seen (job/slot), for the recreation backoff. */
  private final Map<String, Instant> failedAt = new ConcurrentHashMap<>();
  private final Map<JobId, Accounting> accounting = new ConcurrentHashMap<>();
  private final StatusWriter statusWriter = new StatusWriter();

  public FederatedFineTuneReconciler(FederationHost host, RoundEventSource rounds, FedttMetrics metrics,
      ReconcilerSettings settings, boolean serverSideApply) {
    this.host = host;
    this.rounds = rounds;
    this.metrics = metrics;
    this.settings = settings;
    this.ssa = serverSideApply;
  }

  @Override
  public List<EventSource<?, FederatedFineTune>> prepareEventSources(EventSourceContext<FederatedFineTune> context) {
    var pods = new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, FederatedFineTune.class)
        .withName(PODS).withLabelSelector(Labels.SELECTOR).build(), context);
    var secrets = new InformerEventSource<>(InformerEventSourceConfiguration.from(Secret.class, FederatedFineTune.class)
        .withName(SECRETS).withLabelSelector(Labels.SELECTOR).build(), context);
    return List.of(pods, secrets, rounds);
  }

  /** How long running workers of a succeeded job have to exit by themselves before their pods are deleted. */
  static final Duration WORKER_EXIT_GRACE = Duration.ofSeconds(30);

  // ================================================================ reconcile

  @Override
  public UpdateControl<FederatedFineTune> reconcile(FederatedFineTune job, Context<FederatedFineTune> ctx) {
    long t0 = System.nanoTime();
    try {
      return reconcileTimed(job, ctx);
    } finally {
      settings.reconcileNanos().accept(System.nanoTime() - t0);
    }
  }

  private UpdateControl<FederatedFineTune> reconcileTimed(FederatedFineTune job, Context<FederatedFineTune> ctx) {
    Instant now = settings.clock().instant();
    JobId id = new JobId(job.getMetadata().getNamespace(), job.getMetadata().getName());
    long generation = Optional.ofNullable(job.getMetadata().getGeneration()).orElse(0L);
    FederatedFineTuneStatus latest = ssa ? job.getStatus() : statusWriter.latest(id, job);
    FederatedFineTuneStatus old = latest == null ? new FederatedFineTuneStatus() : latest;
    FederatedFineTuneStatus st = Serialization.clone(old);
    st.setObservedGeneration(generation);
    Step step = new Step(job, id, ctx, st, now, generation);

    List<SlotState> slots = observeSlots(job, ctx);
    Phase phase = old.getPhase();
    boolean invalidBefore = Conditions.find(old.getConditions(), ConditionType.Failed)
        .filter(c -> Conditions.TRUE.equals(c.getStatus()) && Reason.InvalidSpec.name().equals(c.getReason()))
        .isPresent();
    if (phase.isFinished() && !(invalidBefore && !Objects.equals(old.getObservedGeneration(), generation))) {
      finished(step, slots);
      return step.done(old);
    }

    // ---- validate
    List<SpecProblem> problems = settings.validator().validate(job);
    if (!problems.isEmpty()) {
      return invalid(step, problems.get(0).toString() + (problems.size() > 1
          ? " (and " + (problems.size() - 1) + " more: " + problems.subList(1, problems.size()) + ")" : ""), old);
    }
    if (invalidBefore) {
      st.setCondition(ConditionType.Failed, false, Reason.InvalidSpec, "the spec is valid as of generation "
          + generation, generation, now);
    }
    // The initial adapter's layout needs the model's shape: the built-in preset or spec.model.architecture
    // (the model itself is only loaded by the workers).
    Optional<ModelConfig> model = FederationJobMapper.modelConfig(job.getSpec());
    if (model.isEmpty()) {
      return invalid(step, "spec.model.uri: '" + job.getSpec().getModel().getUri() + "' is not a built-in model ("
          + FederationJobMapper.BUILTIN_MINILM + "); give its shape in spec.model.architecture", old);
    }

    // ---- act: the Secret with one token per slot
    List<WorkerSlot> wanted = WorkerSlots.of(job);
    Map<String, String> tokens = ensureSecret(job, ctx, wanted);

    // ---- suspend: pods go, round state stays
    if (Boolean.TRUE.equals(job.getSpec().getSuspend())) {
      deletePods(ctx, slots, false);
      host.release(id);
      if (!Conditions.isTrue(st.getConditions(), ConditionType.Suspended)) {
        st.setCondition(ConditionType.Suspended, true, Reason.SuspendedByUser, "suspended at round "
            + (st.getRound() == null ? 0 : st.getRound().getCurrent()) + "; round state is kept", generation, now);
        st.setCondition(ConditionType.Running, false, Reason.SuspendedByUser, "suspended", generation, now);
        st.setStartTime(null);
      }
      st.setSilos(SiloStatuses.of(job, slots, restartsOf(old), history(id), true));
      return step.done(old);
    }
    if (Conditions.isTrue(st.getConditions(), ConditionType.Suspended)) {
      st.setCondition(ConditionType.Suspended, false, Reason.Resumed, "resumed at round "
          + (st.getRound() == null ? 0 : st.getRound().getCurrent()), generation, now);
    }

    // ---- the coordinator (resumes from the store after a restart or a suspend)
    RoundCoordinator coordinator;
    try {
      ModelConfig m = model.get();
      coordinator = host.ensure(id, coordinatorKey(job), () -> FederationJobMapper.jobSpec(id, job.getSpec(), m),
          tokens, WorkerSlots.actsFor(job, wanted));
      accounting.computeIfAbsent(id, k -> Accounting.of(job.getSpec(), m));
    } catch (IllegalArgumentException e) {
      return invalid(step, "spec: " + e.getMessage(), old);
    } catch (StoreCorruptedException e) {
      return fail(step, slots, Reason.InternalError, "the job's round store is damaged: " + e.getMessage(), old);
    }
    JobStatus js = coordinator.status();
    List<RoundRecord> history = coordinator.history();
    ProgressStatus.apply(st, js, history, accounting.get(id));
    if (st.getStartTime() == null) {
      st.setStartTime(Conditions.timestamp(now));
    }
    if (!Conditions.isTrue(st.getConditions(), ConditionType.Created)) {
      st.setCondition(ConditionType.Created, true, Reason.ResourcesCreated, "token Secret and " + wanted.size()
          + " worker pod(s) created", generation, now);
    }

    // ---- the coordinator finished the job
    if (js.phase().finished()) {
      return complete(step, slots, coordinator, js, old);
    }

    // ---- deadline
    RunPolicy policy = job.getSpec().getRunPolicy();
    Long ads = policy == null ? null : policy.getActiveDeadlineSeconds();
    if (ads != null) {
      Instant deadline = Instant.parse(st.getStartTime()).plusSeconds(ads);
      if (!now.isBefore(deadline)) {
        return fail(step, slots, Reason.DeadlineExceeded, "the job ran longer than runPolicy.activeDeadlineSeconds="
            + ads + " (round " + js.round() + " of " + js.totalRounds() + ")", old);
      }
      step.wakeAt(deadline);
    }

    // ---- pods: count failures, recreate with backoff, create missing ones
    Map<String, Integer> restarts = restartsOf(old);
    int backoffLimit = policy == null || policy.getBackoffLimit() == null ? 3 : policy.getBackoffLimit();
    List<SlotState> failed = new ArrayList<>();
    for (SlotState s : slots) {
      if (s.kind() == SlotState.Kind.FAILED) {
        int before = restarts.getOrDefault(s.slot().name(), 0);
        restarts.put(s.slot().name(), Math.max(before, s.attempt() + 1));
        failed.add(s);
        if (before < s.attempt() + 1) {
          failedAt.putIfAbsent(key(id, s.slot()), now);
        }
      }
    }
    int totalFailures = restarts.values().stream().mapToInt(Integer::intValue).sum();
    for (SlotState s : failed) {
      String why = s.problem().map(p -> p.reason() + ": " + p.message()).orElse("failed");
      if (!Objects.equals(oldRestarts(old, s.slot().name()), restarts.get(s.slot().name()))) {
        step.event(EventRecorder.WARNING, "WorkerFailed", "pod " + s.pod().getMetadata().getName() + " of "
            + s.slot().name() + " failed (" + why + "); failure " + totalFailures + " of backoffLimit " + backoffLimit);
      }
    }
    if (totalFailures > backoffLimit) {
      st.setSilos(SiloStatuses.of(job, slots, restarts, history, false));
      return fail(step, slots, Reason.BackoffLimitExceeded, totalFailures + " worker pod failure(s) exceed runPolicy.backoffLimit="
          + backoffLimit + "; last: " + failed.stream().map(s -> s.slot().name() + " " + s.problem().map(PodProblem::reason)
              .orElse("failed")).toList(), old);
    }
    List<SlotState> current = new ArrayList<>();
    for (SlotState s : slots) {
      deleteQuietly(ctx, s.stale());
      if (s.kind() == SlotState.Kind.FAILED) {
        deleteQuietly(ctx, List.of(s.pod()));
      }
      if (s.kind() == SlotState.Kind.FAILED || s.kind() == SlotState.Kind.MISSING) {
        int attempt = restarts.getOrDefault(s.slot().name(), 0);
        Instant since = failedAt.get(key(id, s.slot()));
        Instant due = since == null ? now : since.plus(settings.backoff().delay(attempt));
        if (!now.isBefore(due)) {
          Pod pod = WorkerPodBuilder.build(job, s.slot(), attempt, settings.pods());
          create(ctx, pod);
          failedAt.remove(key(id, s.slot()));
          current.add(new SlotState(s.slot(), pod, attempt, SlotState.Kind.PENDING, Optional.empty(), List.of()));
          continue;
        }
        step.wakeAt(due);
        current.add(new SlotState(s.slot(), null, s.attempt(), SlotState.Kind.MISSING,
            s.problem(), List.of()));
        continue;
      }
      current.add(s);
    }
    List<SiloStatus> silos = SiloStatuses.of(job, current, restarts, history, false);
    for (SiloStatus s : silos) {
      SiloStatus before = old.getSilos() == null ? null : old.getSilos().stream()
          .filter(o -> s.getName().equals(o.getName())).findFirst().orElse(null);
      if (s.getReason() != null && (before == null || !s.getReason().equals(before.getReason()))) {
        step.event(EventRecorder.WARNING, s.getReason(), "silo " + s.getName() + ": " + s.getMessage());
      }
    }
    st.setSilos(silos);

    boolean anyRunning = current.stream().anyMatch(s -> s.kind() == SlotState.Kind.RUNNING);
    if (anyRunning) {
      st.setCondition(ConditionType.Running, true, Reason.RoundInProgress, "round " + js.round() + " of "
          + js.totalRounds() + (js.attempt() > 0 ? " (try " + (js.attempt() + 1) + ")" : ""), generation, now);
    } else {
      st.setCondition(ConditionType.Running, false, Reason.WaitingForSilos, "waiting for worker pods to run (round "
          + js.round() + " of " + js.totalRounds() + ")", generation, now);
    }
    return step.done(old);
  }

  // ================================================================ outcomes

  private UpdateControl<FederatedFineTune> invalid(Step step, String message, FederatedFineTuneStatus old) {
    step.st.setCondition(ConditionType.Failed, true, Reason.InvalidSpec, message, step.generation, step.now);
    step.st.setCondition(ConditionType.Running, false, Reason.InvalidSpec, "not started: the spec is invalid",
        step.generation, step.now);
    return step.done(old);
  }

  private UpdateControl<FederatedFineTune> fail(Step step, List<SlotState> slots, Reason reason, String message,
      FederatedFineTuneStatus old) {
    step.st.setCondition(ConditionType.Failed, true, reason, message, step.generation, step.now);
    step.st.setCondition(ConditionType.Running, false, reason, message, step.generation, step.now);
    step.st.setCompletionTime(Conditions.timestamp(step.now));
    host.release(step.id);
    finished(step, slots);
    return step.done(old);
  }

  private UpdateControl<FederatedFineTune> complete(Step step, List<SlotState> slots, RoundCoordinator coordinator,
      JobStatus js, FederatedFineTuneStatus old) {
    FederatedFineTuneStatus st = step.st;
    JobOutcome outcome = js.outcome();
    // The last round's participants and examples, before the pods are cleaned up.
    st.setSilos(SiloStatuses.of(step.job, slots, restartsOf(old), coordinator.history(), false));
    if (js.phase() == JobPhase.SUCCEEDED) {
      AdapterPayload p = coordinator.currentAdapter();
      try {
        st.setAdapter(AdapterOutput.write(step.job, p.body(), p.digest(), host.defaultOutputDir(step.id)));
      } catch (java.io.IOException | RuntimeException e) {
        return fail(step, slots, Reason.OutputWriteFailed, "cannot write the final adapter to "
            + AdapterOutput.directory(step.job, host.defaultOutputDir(step.id)) + ": " + e.getMessage(), old);
      }
      Reason r = reasonOf(outcome.kind());
      st.setCondition(ConditionType.Succeeded, true, r, outcome.message() + "; adapter " + st.getAdapter().getDigest() + " at "
          + st.getAdapter().getLocation(), step.generation, step.now);
      st.setCondition(ConditionType.Running, false, r, "finished", step.generation, step.now);
      st.setCompletionTime(Conditions.timestamp(step.now));
      finished(step, slots);
      return step.done(old);
    }
    return fail(step, slots, reasonOf(outcome.kind()), outcome.text(), old);
  }

  /** The condition reason for each way the coordinator can end a job. */
  static Reason reasonOf(JobOutcome.Kind kind) {
    return switch (kind) {
      case ROUNDS_COMPLETED -> Reason.AllRoundsCompleted;
      case TARGET_ACCURACY_REACHED -> Reason.TargetAccuracyReached;
      case NO_IMPROVEMENT -> Reason.NoImprovement;
      case ROUND_FAILED -> Reason.QuorumNotReached;
      case INTERNAL_ERROR -> Reason.InternalError;
    };
  }

  /**
   * A finished job: pods cleaned per cleanPodPolicy, coordinator released, ttl applied. After a
   * success, workers that have not ended get {@link #WORKER_EXIT_GRACE}: the job stays hosted so that
   * their next poll hears "done" and they exit 0 by themselves (their pods end Completed, their logs
   * say how the job ended); after that the job is released and what still runs is deleted.
   */
  private void finished(Step step, List<SlotState> slots) {
    RunPolicy policy = step.job.getSpec() == null ? null : step.job.getSpec().getRunPolicy();
    CleanPodPolicy clean = policy == null || policy.getCleanPodPolicy() == null ? CleanPodPolicy.ALL
        : policy.getCleanPodPolicy();
    String completed = step.st.getCompletionTime();
    Instant graceEnd = completed == null ? step.now : Instant.parse(completed).plus(WORKER_EXIT_GRACE);
    // Pending counts as not ended too: the informer may not have seen a worker's pod start yet.
    Predicate<SlotState> active = s -> s.kind() == SlotState.Kind.RUNNING || s.kind() == SlotState.Kind.PENDING;
    boolean grace = Conditions.isTrue(step.st.getConditions(), ConditionType.Succeeded) && step.now.isBefore(graceEnd)
        && slots.stream().anyMatch(active);
    if (grace) {
      step.wakeAt(graceEnd);
    } else {
      host.release(step.id);
    }
    if (clean != CleanPodPolicy.NONE) {
      deletePods(step.ctx, grace ? slots.stream().filter(active.negate()).toList() : slots,
          clean == CleanPodPolicy.RUNNING);
    }
    Integer ttl = policy == null ? null : policy.getTtlSecondsAfterFinished();
    if (ttl != null && completed != null) {
      Instant due = Instant.parse(completed).plusSeconds(ttl);
      if (!step.now.isBefore(due)) {
        LOG.log(System.Logger.Level.INFO, "job " + step.id + ": deleting, ttlSecondsAfterFinished=" + ttl + " passed");
        step.ctx.getClient().resource(step.job).delete();
        step.deleted = true;
      } else {
        step.wakeAt(due);
      }
    }
  }

  // ================================================================ cleanup

  @Override
  public DeleteControl cleanup(FederatedFineTune job, Context<FederatedFineTune> ctx) {
    JobId id = new JobId(job.getMetadata().getNamespace(), job.getMetadata().getName());
    host.forget(id);
    metrics.remove(id);
    accounting.remove(id);
    failedAt.keySet().removeIf(k -> k.startsWith(id + "/"));
    statusWriter.forget(id);
    // Owner references let the garbage collector do this too; deleting now frees the nodes sooner.
    KubernetesClient client = ctx.getClient();
    client.pods().inNamespace(id.namespace()).withLabels(Labels.forWorkerSelectorMap(job)).delete();
    client.secrets().inNamespace(id.namespace()).withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
        .withLabel(Labels.JOB, Labels.value(id.name())).delete();
    return DeleteControl.defaultDelete();
  }

  // ================================================================ helpers

  private List<SlotState> observeSlots(FederatedFineTune job, Context<FederatedFineTune> ctx) {
    List<Pod> pods = new ArrayList<>(ctx.getSecondaryResources(Pod.class));
    Map<String, List<Pod>> bySlot = SlotState.bySlot(pods);
    List<SlotState> out = new ArrayList<>();
    List<WorkerSlot> wanted = job.getSpec() == null ? List.of() : safeSlots(job);
    for (WorkerSlot w : wanted) {
      out.add(SlotState.observe(w, bySlot.getOrDefault(w.name(), List.of())));
      bySlot.remove(w.name());
    }
    // Pods of slots no longer in the spec (a silo was removed) take no further part.
    bySlot.values().forEach(gone -> deleteQuietly(ctx, gone));
    return out;
  }

  private static List<WorkerSlot> safeSlots(FederatedFineTune job) {
    try {
      return WorkerSlots.of(job);
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  private Map<String, String> ensureSecret(FederatedFineTune job, Context<FederatedFineTune> ctx, List<WorkerSlot> slots) {
    Secret existing = ctx.getSecondaryResource(Secret.class).orElse(null);
    if (existing == null) {
      existing = ctx.getClient().secrets().inNamespace(job.getMetadata().getNamespace())
          .withName(io.fedtt.operator.build.Names.secret(job)).get();
    }
    if (existing != null && TokenSecretBuilder.covers(existing, slots)) {
      return TokenSecretBuilder.tokens(existing);
    }
    Secret wanted = TokenSecretBuilder.build(job, slots, TokenSecretBuilder.tokens(existing), TokenRegistry::newToken);
    Secret written = existing == null
        ? ctx.getClient().secrets().inNamespace(job.getMetadata().getNamespace()).resource(wanted).create()
        : ctx.getClient().secrets().inNamespace(job.getMetadata().getNamespace()).resource(wanted).update();
    return TokenSecretBuilder.tokens(written);
  }

  private static void create(Context<FederatedFineTune> ctx, Pod pod) {
    try {
      ctx.getClient().pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  private static void deletePods(Context<FederatedFineTune> ctx, List<SlotState> slots, boolean onlyActive) {
    for (SlotState s : slots) {
      deleteQuietly(ctx, s.stale());
      if (s.pod() != null) {
        boolean active = s.kind() == SlotState.Kind.RUNNING || s.kind() == SlotState.Kind.PENDING;
        if (!onlyActive || active) {
          deleteQuietly(ctx, List.of(s.pod()));
        }
      }
    }
  }

  private static void deleteQuietly(Context<FederatedFineTune> ctx, List<Pod> pods) {
    for (Pod p : pods) {
      if (p.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      try {
        ctx.getClient().pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).delete();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
  }

  private List<RoundRecord> history(JobId id) {
    return host.coordinator(id).map(RoundCoordinator::history).orElse(List.of());
  }

  private static Map<String, Integer> restartsOf(FederatedFineTuneStatus st) {
    Map<String, Integer> m = new HashMap<>();
    if (st.getSilos() != null) {
      for (SiloStatus s : st.getSilos()) {
        if (s.getRestarts() != null) {
          m.put(s.getName(), s.getRestarts());
        }
      }
    }
    return m;
  }

  private static Integer oldRestarts(FederatedFineTuneStatus st, String silo) {
    return restartsOf(st).getOrDefault(silo, 0);
  }

  /** The spec fields the coordinator is built from; suspend, runPolicy or template edits leave it alone. */
  static String coordinatorKey(FederatedFineTune job) {
    var s = job.getSpec();
    return Serialization.asJson(java.util.Arrays.asList(s.getModel(), s.getAdapter(), s.getMethod(), s.getRounds(),
        s.getSilos() == null ? null : s.getSilos().stream().map(x -> x.getName() + "=" + x.getWeight()).toList(),
        s.getDevices()));
  }

  private static String key(JobId id, WorkerSlot slot) {
    return id + "/" + slot.name();
  }

  /** One reconcile's working state: the new status, events to emit, and when to look again. */
  private final class Step {
    final FederatedFineTune job;
    final JobId id;
    final Context<FederatedFineTune> ctx;
    final FederatedFineTuneStatus st;
    final Instant now;
    final long generation;
    final List<String[]> events = new ArrayList<>();
    Instant wake;
    boolean deleted;

    Step(FederatedFineTune job, JobId id, Context<FederatedFineTune> ctx, FederatedFineTuneStatus st, Instant now,
        long generation) {
      this.job = job;
      this.id = id;
      this.ctx = ctx;
      this.st = st;
      this.now = now;
      this.generation = generation;
    }

    void wakeAt(Instant t) {
      if (wake == null || t.isBefore(wake)) {
        wake = t;
      }
    }

    void event(String type, String reason, String message) {
      events.add(new String[] {type, reason, message});
    }

    /** Emits transition events, feeds metrics and patches the status if it changed. */
    UpdateControl<FederatedFineTune> done(FederatedFineTuneStatus old) {
      if (deleted) {
        return UpdateControl.noUpdate();
      }
      EventRecorder recorder = new EventRecorder(ctx.getClient(), settings.clock());
      for (ConditionType t : ConditionType.values()) {
        boolean was = Conditions.isTrue(old.getConditions(), t);
        boolean is = Conditions.isTrue(st.getConditions(), t);
        if (is && !was) {
          var c = Conditions.find(st.getConditions(), t).orElseThrow();
          recorder.record(job, t == ConditionType.Failed ? EventRecorder.WARNING : EventRecorder.NORMAL, c.getReason(),
              c.getMessage() == null ? t.name() : c.getMessage());
        }
      }
      for (String[] e : events) {
        recorder.record(job, e[0], e[1], e[2]);
      }
      metrics.update(id, st);
      UpdateControl<FederatedFineTune> control;
      if (st.equals(old)) {
        control = UpdateControl.noUpdate();
      } else if (ssa) {
        control = UpdateControl.patchStatus(statusPatch());
      } else {
        statusWriter.write(ctx.getClient(), id, job, old, st);
        control = UpdateControl.noUpdate();
      }
      if (wake != null) {
        long ms = Math.max(1, Duration.between(now, wake).toMillis());
        control.rescheduleAfter(ms);
      }
      return control;
    }

    /** With server-side apply: a fresh object holding only name, namespace and status (JOSDK samples). */
    private FederatedFineTune statusPatch() {
      FederatedFineTune out = new FederatedFineTune();
      out.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
          .withName(job.getMetadata().getName()).withNamespace(job.getMetadata().getNamespace()).build());
      out.setStatus(st);
      return out;
    }
  }
}
