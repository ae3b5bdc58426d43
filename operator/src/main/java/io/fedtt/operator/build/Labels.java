package io.fedtt.operator.build;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The labels on everything the operator creates. Informers select on {@link #MANAGED_BY} and map a
 * pod or secret back to its job through {@link #JOB}; {@link #SILO} says which worker slot a pod is.
 */
public final class Labels {

  public static final String NAME = "app.kubernetes.io/name";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String JOB = "fedtt.io/job";
  public static final String SILO = "fedtt.io/silo";
  /** How many times the slot's pod was replaced before this one (0 for the first pod). */
  public static final String ATTEMPT = "fedtt.io/attempt";

  public static final String APP = "fedtt";
  public static final String OPERATOR = "fedtt-operator";
  public static final String WORKER = "worker";
  public static final String TOKENS = "tokens";
  public static final String MODEL_PROBE = "model-probe";

  /** What informers select: only objects this operator manages. */
  public static final String SELECTOR = MANAGED_BY + "=" + OPERATOR;

  private Labels() {}

  /** Labels of the job's token Secret. */
  public static Map<String, String> forSecret(FederatedFineTune job) {
    return base(job, TOKENS);
  }

  /** Labels of the job's model probe pod (no silo label: it is no worker slot). */
  public static Map<String, String> forModelProbe(FederatedFineTune job) {
    return base(job, MODEL_PROBE);
  }

  /** Labels of one worker pod. */
  public static Map<String, String> forWorker(FederatedFineTune job, WorkerSlot slot) {
    Map<String, String> m = base(job, WORKER);
    m.put(SILO, value(slot.name()));
    return m;
  }

  /** Selector string for every worker pod of a job. */
  public static String workerSelector(FederatedFineTune job) {
    return forWorkerSelectorMap(job).entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  public static Map<String, String> forWorkerSelectorMap(FederatedFineTune job) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(MANAGED_BY, OPERATOR);
    m.put(JOB, value(job.getMetadata().getName()));
    m.put(COMPONENT, WORKER);
    return m;
  }

  private static Map<String, String> base(FederatedFineTune job, String component) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(NAME, APP);
    m.put(COMPONENT, component);
    m.put(MANAGED_BY, OPERATOR);
    m.put(JOB, value(job.getMetadata().getName()));
    return m;
  }

  /**
   * A label value for a name: names up to 63 characters are used as they are; longer ones (a
   * resource name may have 253) are cut and suffixed with a hash so that they stay unique.
   */
  public static String value(String name) {
    if (name.length() <= 63) {
      return name;
    }
    String hash = Names.shortHash(name.getBytes(StandardCharsets.UTF_8));
    String head = name.substring(0, 63 - hash.length() - 1).replaceAll("[^A-Za-z0-9]+$", "");
    return head + "-" + hash;
  }
}
