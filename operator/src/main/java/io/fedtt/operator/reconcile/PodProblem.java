package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What is wrong with a worker pod, as a CamelCase reason and a message for the silo's status:
 * Unschedulable, ImagePullBackOff/ErrImagePull, CrashLoopBackOff, OOMKilled, CreateContainerConfigError,
 * Evicted, or a non-zero exit. Pure: reads only the pod's status.
 */
public record PodProblem(String reason, String message) {

  /** Waiting reasons that mean the container will not start without help. */
  static final Set<String> WAITING = Set.of("ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff",
      "CreateContainerConfigError", "CreateContainerError", "InvalidImageName", "RunContainerError");

  public static Optional<PodProblem> of(Pod pod) {
    if (pod == null || pod.getStatus() == null) {
      return Optional.empty();
    }
    var st = pod.getStatus();
    List<ContainerStatus> containers = new ArrayList<>();
    if (st.getInitContainerStatuses() != null) {
      containers.addAll(st.getInitContainerStatuses());
    }
    if (st.getContainerStatuses() != null) {
      containers.addAll(st.getContainerStatuses());
    }
    for (ContainerStatus c : containers) {
      var term = c.getState() == null ? null : c.getState().getTerminated();
      var last = c.getLastState() == null ? null : c.getLastState().getTerminated();
      if (term != null && "OOMKilled".equals(term.getReason()) || last != null && "OOMKilled".equals(last.getReason())) {
        return Optional.of(new PodProblem("OOMKilled", "container " + c.getName()
            + " was killed for running out of memory; raise its memory limit"));
      }
    }
    for (ContainerStatus c : containers) {
      var waiting = c.getState() == null ? null : c.getState().getWaiting();
      if (waiting != null && WAITING.contains(waiting.getReason())) {
        String msg = waiting.getMessage() == null ? "" : ": " + waiting.getMessage();
        return Optional.of(new PodProblem(waiting.getReason(), "container " + c.getName() + " " + waiting.getReason()
            + (c.getImage() == null ? "" : " (image " + c.getImage() + ")") + msg));
      }
    }
    if (st.getConditions() != null) {
      for (PodCondition pc : st.getConditions()) {
        if ("PodScheduled".equals(pc.getType()) && "False".equals(pc.getStatus())
            && "Unschedulable".equals(pc.getReason())) {
          return Optional.of(new PodProblem("Unschedulable",
              pc.getMessage() == null ? "no node fits the pod" : pc.getMessage()));
        }
      }
    }
    if ("Failed".equals(st.getPhase())) {
      if (st.getReason() != null) {
        return Optional.of(new PodProblem(st.getReason(), st.getMessage() == null ? "pod " + st.getReason()
            : st.getMessage()));
      }
      for (ContainerStatus c : containers) {
        var term = c.getState() == null ? null : c.getState().getTerminated();
        if (term != null && term.getExitCode() != null && term.getExitCode() != 0) {
          String why = term.getMessage() != null ? ": " + term.getMessage() : "";
          return Optional.of(new PodProblem("Error", "container " + c.getName() + " exited with code "
              + term.getExitCode() + why));
        }
      }
      return Optional.of(new PodProblem("Error", "pod failed"));
    }
    return Optional.empty();
  }
}
