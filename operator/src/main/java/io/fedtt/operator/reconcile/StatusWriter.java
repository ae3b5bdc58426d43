package io.fedtt.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.FederatedFineTuneStatus;
import io.fedtt.core.federation.JobId;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes status without server-side apply (test API servers answer 415 to it): the status
 * subresource is replaced whole on the newest resource version, so lists are never corrupted by
 * index-based patches computed against a stale copy (the mock server's merge patch also appends
 * lists). Remembers what it wrote so that the next reconcile starts from it even before the
 * informer delivers the change.
 */
public final class StatusWriter {

  private static final ObjectMapper JSON = new ObjectMapper();

  private record Written(long resourceVersion, FederatedFineTuneStatus status) {}

  private final Map<JobId, Written> written = new ConcurrentHashMap<>();

  /** The newest status known for {@code job}: the cached resource's, or ours if the cache is behind. */
  public FederatedFineTuneStatus latest(JobId id, FederatedFineTune job) {
    Written w = written.get(id);
    if (w != null && w.resourceVersion() > rv(job)) {
      return w.status();
    }
    return job.getStatus();
  }

  /** Patches the status from {@code old} to {@code updated} (nothing when equal). */
  public void write(KubernetesClient client, JobId id, FederatedFineTune job, FederatedFineTuneStatus old,
      FederatedFineTuneStatus updated) {
    JsonNode diff = diff(old == null ? JsonNodeFactory.instance.objectNode() : JSON.valueToTree(old),
        JSON.valueToTree(updated));
    if (diff == null) {
      return;
    }
    // The status is recomputed from the world on every reconcile, so replacing it whole is safe;
    // a conflict only means someone else wrote in between: write again on the newest version.
    FederatedFineTune result = null;
    for (int attempt = 0; result == null; attempt++) {
      FederatedFineTune current = client.resources(FederatedFineTune.class).inNamespace(id.namespace())
          .withName(id.name()).get();
      if (current == null) {
        return;
      }
      current.setStatus(updated);
      try {
        result = client.resources(FederatedFineTune.class).inNamespace(id.namespace()).resource(current).updateStatus();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 4) {
          throw e;
        }
      }
    }
    written.put(id, new Written(rv(result), updated));
  }

  public void forget(JobId id) {
    written.remove(id);
  }

  /**
   * The merge patch turning {@code from} into {@code to}: changed and new fields, null for removed
   * ones, recursing into objects; arrays and scalars are replaced whole. Null when equal.
   */
  static JsonNode diff(JsonNode from, JsonNode to) {
    if (from.equals(to)) {
      return null;
    }
    if (!from.isObject() || !to.isObject()) {
      return to;
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = to.fields(); it.hasNext(); ) {
      var e = it.next();
      JsonNode before = from.get(e.getKey());
      if (before == null || before.isNull()) {
        if (!e.getValue().isNull()) {
          out.set(e.getKey(), e.getValue());
        }
      } else {
        JsonNode d = diff(before, e.getValue());
        if (d != null) {
          out.set(e.getKey(), d);
        }
      }
    }
    for (Iterator<String> it = from.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!to.has(k) && !from.get(k).isNull()) {
        out.putNull(k);
      }
    }
    return out.isEmpty() ? null : out;
  }

  private static long rv(FederatedFineTune job) {
    try {
      return job == null || job.getMetadata().getResourceVersion() == null ? -1
          : Long.parseLong(job.getMetadata().getResourceVersion());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
