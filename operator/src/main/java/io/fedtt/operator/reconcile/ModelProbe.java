package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.model.ConfigJsonException;
import io.fedtt.core.model.HfConfig;
import io.fedtt.operator.build.ModelProbePodBuilder;
import io.fedtt.operator.build.Names;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Reads a {@code pvc:} model's config.json through a short pod ({@link ModelProbePodBuilder}) that mounts
 * the claim read-only and prints the file to its log: the pod is created on the first look, its log read
 * and the pod deleted once it has succeeded; a failed pod's log (or reason) says why; a pod that has not
 * finished within the probe timeout (unschedulable, image not pulled, claim not bound) is deleted. The pod
 * carries the operator's labels and is owned by the job, so its changes reconcile the job.
 */
final class ModelProbe {

  /** What the probe found this time. */
  sealed interface Result permits Result.Done, Result.Pending, Result.Failed, Result.TimedOut {
    /** The model's own shape (no labels), from its config.json. */
    record Done(ModelConfig found) implements Result {}

    /** The pod is on its way; look again by {@code checkAt} at the latest (its change events come sooner). */
    record Pending(Instant checkAt, String message, boolean created) implements Result {}

    /** The pod ran and could not read a usable config.json: a problem with the model, not with the cluster. */
    record Failed(String message) implements Result {}

    /** The pod did not get to read anything (not scheduled, no image, deadline, log unreadable): try again later. */
    record TimedOut(String message) implements Result {}
  }

  private final ReconcilerSettings settings;

  ModelProbe(ReconcilerSettings settings) {
    this.settings = settings;
  }

  Result run(ReconcileContext rc, String claim, String path) {
    String name = Names.modelProbe(rc.job);
    String what = "pvc:" + claim + (path.isEmpty() ? "" : "/" + path.replaceAll("/+$", "")) + "/" + HfConfig.FILE;
    Optional<Pod> existing = probePod(rc);
    Duration timeout = settings.models().probeTimeout();
    if (existing.isEmpty()) {
      String image = settings.models().probeImage() != null ? settings.models().probeImage()
          : ModelProbePodBuilder.workerImage(rc.job, settings.pods());
      Pod pod;
      try {
        pod = ModelProbePodBuilder.build(rc.job, claim, path, image, timeout.toSeconds(), settings.pods());
      } catch (IllegalArgumentException e) {
        return new Result.Failed(e.getMessage());
      }
      WorkerPods.create(rc.client, pod);
      return new Result.Pending(rc.now.plus(timeout), "reading " + what + " with probe pod " + name + " (image "
          + image + ")", true);
    }
    Pod pod = existing.get();
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return new Result.Pending(rc.now.plusSeconds(5), "waiting for the previous probe pod " + name + " to go", false);
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase)) {
      String log;
      try {
        log = log(rc, pod);
      } catch (KubernetesClientException e) {
        WorkerPods.delete(rc.client, List.of(pod));
        return new Result.TimedOut("the probe pod " + name + " succeeded but its log could not be read: " + e.getMessage());
      }
      WorkerPods.delete(rc.client, List.of(pod));
      try {
        return new Result.Done(HfConfig.describe(HfConfig.parse(log.getBytes(StandardCharsets.UTF_8), what), what));
      } catch (ConfigJsonException | IllegalArgumentException e) {
        return new Result.Failed(e.getMessage());
      }
    }
    if ("Failed".equals(phase)) {
      String why = Optional.ofNullable(pod.getStatus().getReason()).orElse("");
      WorkerPods.delete(rc.client, List.of(pod));
      if ("DeadlineExceeded".equals(why)) {
        return new Result.TimedOut("the probe pod " + name + " did not finish within " + timeout.toSeconds() + " s");
      }
      String out;
      try {
        out = snippet(log(rc, pod));
      } catch (KubernetesClientException e) {
        out = "";
      }
      String problem = PodProblem.of(pod).map(p -> p.reason() + ": " + p.message()).orElse(why);
      return new Result.Failed("the probe pod " + name + " could not read " + what
          + (out.isEmpty() ? "" : ": " + out) + (problem.isEmpty() ? "" : " (" + problem + ")"));
    }
    Instant deadline = createdAt(pod, rc.now).plus(timeout);
    String problem = PodProblem.of(pod).map(p -> "; " + p.reason() + ": " + p.message()).orElse("");
    if (!rc.now.isBefore(deadline)) {
      WorkerPods.delete(rc.client, List.of(pod));
      return new Result.TimedOut("the probe pod " + name + " did not finish within " + timeout.toSeconds() + " s"
          + problem);
    }
    return new Result.Pending(deadline, "reading " + what + " with probe pod " + name + " (" + (phase == null
        ? "Pending" : phase) + problem + ")", false);
  }

  /** Deletes a probe pod left over (the shape is known). */
  void cleanup(ReconcileContext rc) {
    probePod(rc).filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .ifPresent(p -> WorkerPods.delete(rc.client, List.of(p)));
  }

  private static Optional<Pod> probePod(ReconcileContext rc) {
    String name = Names.modelProbe(rc.job);
    return rc.observed.pods().stream().filter(p -> name.equals(p.getMetadata().getName())).findFirst();
  }

  private static String log(ReconcileContext rc, Pod pod) {
    String log = rc.client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
        .inContainer(ModelProbePodBuilder.CONTAINER).limitBytes(HfConfig.MAX_BYTES + 1).getLog();
    return log == null ? "" : log;
  }

  private static String snippet(String log) {
    String s = log.strip().replaceAll("\\s+", " ");
    return s.length() > 300 ? s.substring(0, 297) + "..." : s;
  }

  private static Instant createdAt(Pod pod, Instant fallback) {
    String ts = pod.getMetadata().getCreationTimestamp();
    try {
      return ts == null ? fallback : Instant.parse(ts);
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }
}
