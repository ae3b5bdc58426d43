package io.fedtt.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;

/**
 * Creating and deleting worker pods, tolerant of the races an informer-driven reconcile meets: a
 * pod created by an earlier reconcile the cache has not seen yet (409), or one already gone (404).
 */
final class WorkerPods {

  private WorkerPods() {}

  static void create(KubernetesClient client, Pod pod) {
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  /** Deletes every slot's stale pods and its current pod (only a pending or running one when {@code onlyActive}). */
  static void deleteSlots(KubernetesClient client, List<SlotState> slots, boolean onlyActive) {
    for (SlotState s : slots) {
      delete(client, s.stale());
      if (s.pod() != null && (!onlyActive || isActive(s))) {
        delete(client, List.of(s.pod()));
      }
    }
  }

  /** Deletes the pods not already being deleted. */
  static void delete(KubernetesClient client, List<Pod> pods) {
    for (Pod p : pods) {
      if (p.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      try {
        client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName()).delete();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
  }

  /** Pending counts as active: the informer may not have seen a worker's pod start yet. */
  static boolean isActive(SlotState s) {
    return s.kind() == SlotState.Kind.RUNNING || s.kind() == SlotState.Kind.PENDING;
  }
}
