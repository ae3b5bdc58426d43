package io.fedtt.operator.build;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPathBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SeccompProfileBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fedtt.api.mapping.JobDescriptions;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.job.JobDescription;
import io.fedtt.core.job.JobDescriptionJson;
import io.fedtt.core.job.WorkerEnvironment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a worker Pod from the job's {@code workerTemplate} and one slot's overrides. A pure
 * function: the same inputs give the same Pod, and nothing here talks to a cluster.
 *
 * <p>Precedence: the silo's fields override the template's (node selector keys, affinity,
 * resources per resource name, env per name, volumes per name); the operator's own fields (name,
 * labels it selects on, restart policy, the token volume, the worker's arguments and FEDTT_* env)
 * override both. Secure defaults (non-root, no privilege escalation, read-only root file system,
 * all capabilities dropped, no service-account token) apply where the template says nothing.
 */
public final class WorkerPodBuilder {

  // The names the worker reads: core's WorkerEnvironment, shared with fedtt worker.
  public static final String ENV_ENDPOINT = WorkerEnvironment.ENV_ENDPOINT;
  public static final String ENV_JOB = WorkerEnvironment.ENV_JOB;
  public static final String ENV_SILO = WorkerEnvironment.ENV_SILO;
  public static final String ENV_SHARD = WorkerEnvironment.ENV_SHARD;
  public static final String ENV_SHARDS = WorkerEnvironment.ENV_SHARDS;
  /**
   * The slot's resolved job description as JSON (model, adapter, seed, data fields, and only this
   * silo's data, or the device partition): the worker applies no defaults and validates no manifest.
   */
  public static final String ENV_JOB_DESCRIPTION = WorkerEnvironment.ENV_JOB_DESCRIPTION;

  private WorkerPodBuilder() {}

  /** A pod of a job whose manifest gives the model's shape (spec.model.architecture or a builtin: model). */
  public static Pod build(FederatedFineTune job, WorkerSlot slot, int attempt, PodSettings settings) {
    return build(job, slot, attempt, settings, null);
  }

  /**
   * @param model the model's shape as the operator found it ({@code status.model}); null: the manifest's
   */
  public static Pod build(FederatedFineTune job, WorkerSlot slot, int attempt, PodSettings settings,
      ModelConfig model) {
    PodTemplateSpec template = job.getSpec().getWorkerTemplate() == null
        ? new PodTemplateSpec()
        : Serialization.clone(job.getSpec().getWorkerTemplate());
    ObjectMeta tm = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    PodSpec spec = template.getSpec() == null ? new PodSpec() : template.getSpec();
    SiloSpec silo = slot.silo();
    String jobRef = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();

    ObjectMeta meta = new ObjectMeta();
    meta.setName(Names.pod(job, slot, attempt));
    meta.setNamespace(job.getMetadata().getNamespace());
    Map<String, String> labels = new LinkedHashMap<>();
    if (tm.getLabels() != null) {
      labels.putAll(tm.getLabels());
    }
    labels.putAll(Labels.forWorker(job, slot));
    labels.put(Labels.ATTEMPT, Integer.toString(attempt));
    meta.setLabels(labels);
    if (tm.getAnnotations() != null && !tm.getAnnotations().isEmpty()) {
      meta.setAnnotations(new LinkedHashMap<>(tm.getAnnotations()));
    }
    meta.setOwnerReferences(List.of(OwnerRefs.controller(job)));

    // A failed worker is replaced by the operator (with backoff), never restarted in place.
    spec.setRestartPolicy("Never");
    spec.setAutomountServiceAccountToken(false);
    if (silo != null) {
      spec.setNodeSelector(mergeMaps(spec.getNodeSelector(), silo.getNodeSelector()));
      spec.setTolerations(concat(spec.getTolerations(), silo.getTolerations()));
      if (silo.getAffinity() != null) {
        spec.setAffinity(silo.getAffinity());
      }
    }
    spec.setSecurityContext(podSecurity(spec.getSecurityContext(), settings));

    List<Volume> volumes = new ArrayList<>();
    addAllByName(volumes, spec.getVolumes());
    if (silo != null) {
      addAllByName(volumes, silo.getVolumes());
    }
    putByName(volumes, tokenVolume(job, slot));
    if (volumes.stream().noneMatch(v -> v.getName().equals(PodSettings.SCRATCH_VOLUME))) {
      volumes.add(new VolumeBuilder().withName(PodSettings.SCRATCH_VOLUME).withNewEmptyDir().endEmptyDir().build());
    }
    spec.setVolumes(volumes);

    List<Container> containers = spec.getContainers() == null ? new ArrayList<>() : new ArrayList<>(spec.getContainers());
    int main = mainContainerIndex(containers);
    Container worker = main < 0 ? new ContainerBuilder().withName(PodSettings.CONTAINER).build() : containers.get(main);
    worker = workerContainer(worker, job, jobRef, slot, silo, settings, model);
    if (main < 0) {
      containers.add(0, worker);
    } else {
      containers.set(main, worker);
    }
    spec.setContainers(containers);
    return pod(meta, spec);
  }

  /** A v1 Pod of this metadata and spec. */
  static Pod pod(ObjectMeta meta, PodSpec spec) {
    Pod pod = new Pod();
    pod.setApiVersion("v1");
    pod.setKind("Pod");
    pod.setMetadata(meta);
    pod.setSpec(spec);
    return pod;
  }

  /**
   * What the slot's worker runs: its silo's description, or the device partition its shard takes part of,
   * on a model of shape {@code model} (null: the manifest's).
   */
  static JobDescription description(FederatedFineTune job, WorkerSlot slot, ModelConfig model) {
    JobId id = new JobId(job.getMetadata().getNamespace(), job.getMetadata().getName());
    if (model == null) {
      return slot.isShard() ? JobDescriptions.forDevices(id, job.getSpec())
          : JobDescriptions.forSilo(id, job.getSpec(), slot.name());
    }
    return slot.isShard() ? JobDescriptions.forDevices(id, job.getSpec(), model)
        : JobDescriptions.forSilo(id, job.getSpec(), slot.name(), model);
  }

  /** The container named "worker", else the first one; -1 when the template has none. */
  static int mainContainerIndex(List<Container> containers) {
    for (int i = 0; i < containers.size(); i++) {
      if (PodSettings.CONTAINER.equals(containers.get(i).getName())) {
        return i;
      }
    }
    return containers.isEmpty() ? -1 : 0;
  }

  private static Container workerContainer(Container c, FederatedFineTune job, String jobRef, WorkerSlot slot,
      SiloSpec silo, PodSettings settings, ModelConfig model) {
    if (c.getImage() == null || c.getImage().isBlank()) {
      c.setImage(settings.defaultImage());
    }
    List<String> args = new ArrayList<>(List.of(WorkerEnvironment.COMMAND, WorkerEnvironment.ARG_ENDPOINT,
        settings.endpoint(), WorkerEnvironment.ARG_JOB, jobRef, WorkerEnvironment.ARG_SILO, slot.name(),
        WorkerEnvironment.ARG_TOKEN_FILE, PodSettings.TOKEN_FILE));
    if (slot.isShard()) {
      args.addAll(List.of(WorkerEnvironment.ARG_SHARD, Integer.toString(slot.shard()), WorkerEnvironment.ARG_SHARDS,
          Integer.toString(slot.shards())));
    }
    c.setArgs(args);

    List<EnvVar> env = new ArrayList<>();
    addAllEnv(env, c.getEnv());
    if (silo != null) {
      addAllEnv(env, silo.getEnv());
    }
    putEnv(env, new EnvVar(ENV_ENDPOINT, settings.endpoint(), null));
    putEnv(env, new EnvVar(ENV_JOB, jobRef, null));
    putEnv(env, new EnvVar(ENV_SILO, slot.name(), null));
    putEnv(env, new EnvVar(ENV_JOB_DESCRIPTION, JobDescriptionJson.write(description(job, slot, model)), null));
    if (slot.isShard()) {
      putEnv(env, new EnvVar(ENV_SHARD, Integer.toString(slot.shard()), null));
      putEnv(env, new EnvVar(ENV_SHARDS, Integer.toString(slot.shards()), null));
    }
    c.setEnv(env);

    if (silo != null && silo.getResources() != null) {
      c.setResources(mergeResources(c.getResources(), silo.getResources()));
    }

    List<VolumeMount> mounts = new ArrayList<>();
    if (c.getVolumeMounts() != null) {
      mounts.addAll(c.getVolumeMounts());
    }
    if (silo != null && silo.getVolumeMounts() != null) {
      for (VolumeMount m : silo.getVolumeMounts()) {
        mounts.removeIf(x -> x.getMountPath().equals(m.getMountPath()));
        mounts.add(m);
      }
    }
    mounts.removeIf(x -> x.getMountPath().equals(PodSettings.TOKEN_DIR) || x.getName().equals(PodSettings.TOKEN_VOLUME));
    mounts.add(new VolumeMountBuilder().withName(PodSettings.TOKEN_VOLUME).withMountPath(PodSettings.TOKEN_DIR)
        .withReadOnly(true).build());
    if (mounts.stream().noneMatch(m -> m.getMountPath().equals("/tmp"))) {
      mounts.add(new VolumeMountBuilder().withName(PodSettings.SCRATCH_VOLUME).withMountPath("/tmp").build());
    }
    c.setVolumeMounts(mounts);
    c.setSecurityContext(containerSecurity(c.getSecurityContext()));
    return c;
  }

  /** A Secret volume holding only this slot's key, as the file {@code token}. */
  static Volume tokenVolume(FederatedFineTune job, WorkerSlot slot) {
    return new VolumeBuilder()
        .withName(PodSettings.TOKEN_VOLUME)
        .withNewSecret()
          .withSecretName(Names.secret(job))
          .withItems(new KeyToPathBuilder().withKey(slot.name()).withPath("token").build())
          .withDefaultMode(0440)
          .withOptional(false)
        .endSecret()
        .build();
  }

  /** {@code given}, else the secure default: non-root as the settings' user, RuntimeDefault seccomp. */
  static PodSecurityContext podSecurity(PodSecurityContext given, PodSettings settings) {
    if (given != null) {
      return given;
    }
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(settings.runAsUser())
        .withRunAsGroup(settings.runAsUser())
        .withFsGroup(settings.runAsUser())
        .withSeccompProfile(new SeccompProfileBuilder().withType("RuntimeDefault").build())
        .build();
  }

  /** {@code given}, else the secure default: non-root, no privilege escalation, read-only root, no capabilities. */
  static SecurityContext containerSecurity(SecurityContext given) {
    if (given != null) {
      return given;
    }
    return new SecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withCapabilities(new Capabilities(null, List.of("ALL")))
        .build();
  }

  /** Template resources with the silo's requests and limits laid over them, per resource name. */
  static ResourceRequirements mergeResources(ResourceRequirements base, ResourceRequirements over) {
    ResourceRequirements r = base == null ? new ResourceRequirements() : base;
    Map<String, Quantity> limits = mergeMaps(r.getLimits(), over.getLimits());
    Map<String, Quantity> requests = mergeMaps(r.getRequests(), over.getRequests());
    // Extended resources such as nvidia.com/gpu may only be given as limits; requests must equal them.
    if (limits != null && requests != null) {
      for (Map.Entry<String, Quantity> e : limits.entrySet()) {
        if (e.getKey().contains("/") && requests.containsKey(e.getKey())) {
          requests.put(e.getKey(), e.getValue());
        }
      }
    }
    ResourceRequirements out = new ResourceRequirements();
    out.setLimits(limits);
    out.setRequests(requests);
    out.setClaims(r.getClaims());
    return out;
  }

  private static <V> Map<String, V> mergeMaps(Map<String, V> base, Map<String, V> over) {
    if ((base == null || base.isEmpty()) && (over == null || over.isEmpty())) {
      return base;
    }
    Map<String, V> m = new LinkedHashMap<>();
    if (base != null) {
      m.putAll(base);
    }
    if (over != null) {
      m.putAll(over);
    }
    return m;
  }

  private static List<Toleration> concat(List<Toleration> a, List<Toleration> b) {
    if (b == null || b.isEmpty()) {
      return a;
    }
    List<Toleration> out = new ArrayList<>();
    if (a != null) {
      out.addAll(a);
    }
    for (Toleration t : b) {
      if (!out.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  private static void addAllByName(List<Volume> into, List<Volume> from) {
    if (from != null) {
      from.forEach(v -> putByName(into, v));
    }
  }

  private static void putByName(List<Volume> into, Volume v) {
    for (int i = 0; i < into.size(); i++) {
      if (into.get(i).getName().equals(v.getName())) {
        into.set(i, v);
        return;
      }
    }
    into.add(v);
  }

  private static void addAllEnv(List<EnvVar> into, List<EnvVar> from) {
    if (from != null) {
      from.forEach(e -> putEnv(into, e));
    }
  }

  private static void putEnv(List<EnvVar> into, EnvVar e) {
    for (int i = 0; i < into.size(); i++) {
      if (into.get(i).getName().equals(e.getName())) {
        into.set(i, e);
        return;
      }
    }
    into.add(e);
  }
}
