package io.fedtt.operator.build;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.core.model.HfConfig;
import java.util.List;
import java.util.Map;

/**
 * The short pod that prints a {@code pvc:} model's config.json to its log, so that the operator (which
 * mounts no job's claims) learns the model's shape: the claim mounted read-only, {@code cat} of one
 * file, no token, no service-account token, non-root, read-only root file system, a few MiB of memory,
 * an active deadline. A pure function of the job and the settings.
 */
public final class ModelProbePodBuilder {

  public static final String CONTAINER = "probe";
  /** Where the claim is mounted in the probe pod. */
  public static final String MOUNT = "/fedtt/model";
  static final String VOLUME = "model";

  private ModelProbePodBuilder() {}

  /**
   * @param claim the PersistentVolumeClaim of {@code pvc:<claim>/<path>}
   * @param path the model folder inside the claim ("" for its root); must not leave the claim
   * @param image the probe's image (it must have {@code cat}): the configured one, else the job's worker image
   * @param deadlineSeconds the pod's activeDeadlineSeconds
   */
  public static Pod build(FederatedFineTune job, String claim, String path, String image, long deadlineSeconds,
      PodSettings settings) {
    if (path.startsWith("/") || List.of(path.split("/")).contains("..")) {
      throw new IllegalArgumentException("pvc:" + claim + "/" + path + " leaves the claim's folder");
    }
    ObjectMeta meta = new ObjectMeta();
    meta.setName(Names.modelProbe(job));
    meta.setNamespace(job.getMetadata().getNamespace());
    meta.setLabels(Labels.forModelProbe(job));
    meta.setAnnotations(Map.of("fedtt.io/model-uri", "pvc:" + claim + (path.isEmpty() ? "" : "/" + path)));
    meta.setOwnerReferences(List.of(OwnerRefs.controller(job)));

    String file = MOUNT + (path.isEmpty() ? "" : "/" + path.replaceAll("/+$", "")) + "/" + HfConfig.FILE;
    ResourceRequirements resources = new ResourceRequirements();
    resources.setRequests(Map.of("cpu", new Quantity("10m"), "memory", new Quantity("16Mi")));
    resources.setLimits(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("64Mi")));
    Container c = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(image)
        .withCommand("cat", file)
        .withResources(resources)
        .withVolumeMounts(new VolumeMountBuilder().withName(VOLUME).withMountPath(MOUNT).withReadOnly(true).build())
        .withSecurityContext(WorkerPodBuilder.containerSecurity(null))
        .build();

    PodSpec spec = new PodSpec();
    spec.setRestartPolicy("Never");
    spec.setAutomountServiceAccountToken(false);
    spec.setActiveDeadlineSeconds(deadlineSeconds);
    spec.setContainers(List.of(c));
    spec.setVolumes(List.of(new VolumeBuilder().withName(VOLUME).withNewPersistentVolumeClaim(claim, true).build()));
    spec.setSecurityContext(WorkerPodBuilder.podSecurity(null, settings));
    // Pull the image and schedule the way the job's workers do.
    var template = job.getSpec().getWorkerTemplate();
    if (template != null && template.getSpec() != null) {
      spec.setImagePullSecrets(template.getSpec().getImagePullSecrets());
      spec.setTolerations(template.getSpec().getTolerations());
      spec.setServiceAccountName(template.getSpec().getServiceAccountName());
    }
    return WorkerPodBuilder.pod(meta, spec);
  }

  /** The job's worker image: its workerTemplate's worker container's, else the operator's default. */
  public static String workerImage(FederatedFineTune job, PodSettings settings) {
    var template = job.getSpec().getWorkerTemplate();
    if (template != null && template.getSpec() != null && template.getSpec().getContainers() != null) {
      List<Container> cs = template.getSpec().getContainers();
      int main = WorkerPodBuilder.mainContainerIndex(cs);
      if (main >= 0 && cs.get(main).getImage() != null && !cs.get(main).getImage().isBlank()) {
        return cs.get(main).getImage();
      }
    }
    return settings.defaultImage();
  }
}
