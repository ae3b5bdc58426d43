package io.fedtt.platform.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.SiloData;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.operator.build.PodSettings;
import io.fedtt.operator.build.WorkerPodBuilder;
import io.fedtt.operator.build.WorkerSlot;
import io.fedtt.operator.build.WorkerSlots;
import io.fedtt.platform.Repo;
import io.fedtt.platform.chart.Helm;
import io.fedtt.platform.chart.StrictManifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The cluster examples work as deployed, not only as validated: every worker pod the operator
 * builds from them parses strictly, runs as the chart's worker ServiceAccount, has each pvc: data
 * location it reads mounted where the worker looks ($FEDTT_PVC_ROOT/claim), and can write the
 * cache directories the worker image points at; the GPU example asks for one GPU per pod on its
 * site's nodes.
 */
class ClusterExamplesTest {

  static final Path DIR = Repo.ROOT.resolve("examples/k8s");
  static final PodSettings SETTINGS = PodSettings.of("ghcr.io/fedtt/fedtt-worker:0.1.0",
      "http://fedtt-operator.fedtt-system.svc:8443");
  private static final Pattern PVC = Pattern.compile("^pvc:([a-z0-9]([-a-z0-9.]*[a-z0-9])?)/.+$");

  static List<Path> examples() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  static List<Pod> pods(Path file) throws IOException {
    FederatedFineTune job = ManifestValidator.standard().load(file);
    job.getMetadata().setNamespace("ml");
    job.getMetadata().setUid(UUID.randomUUID().toString());
    List<Pod> pods = new ArrayList<>();
    for (WorkerSlot slot : WorkerSlots.of(job)) {
      pods.add(WorkerPodBuilder.build(job, slot, 0, SETTINGS));
    }
    return pods;
  }

  @TestFactory
  Stream<DynamicTest> workerPodsAreDeployable() throws IOException {
    List<Path> files = examples();
    assertTrue(files.size() >= 4, "examples: " + files);
    String workerAccount = chartWorkerAccount();
    List<String> imageDirs = workerImageWritableDirs();
    KubernetesSerialization json = new KubernetesSerialization();
    return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
      FederatedFineTune job = ManifestValidator.standard().load(f);
      List<Pod> pods = pods(f);
      assertFalse(pods.isEmpty());
      for (Pod pod : pods) {
        String name = pod.getMetadata().getName();
        StrictManifests.parse(json.asYaml(pod));
        assertEquals(workerAccount, pod.getSpec().getServiceAccountName(), name + " runs as the chart's worker account");
        Container worker = pod.getSpec().getContainers().stream()
            .filter(c -> PodSettings.CONTAINER.equals(c.getName())).findFirst().orElseThrow();
        for (String dir : imageDirs) {
          assertTrue(worker.getVolumeMounts().stream().anyMatch(m -> !Boolean.TRUE.equals(m.getReadOnly())
              && (dir + "/").startsWith(m.getMountPath() + "/")), name + ": the image's " + dir + " is not writable");
        }
        String root = env(worker, "FEDTT_PVC_ROOT");
        for (String uri : dataUris(job, pod)) {
          Matcher m = PVC.matcher(uri);
          if (!m.matches()) {
            continue;
          }
          assertTrue(root != null, name + " reads " + uri + " but sets no FEDTT_PVC_ROOT");
          String claim = m.group(1);
          VolumeMount mount = worker.getVolumeMounts().stream()
              .filter(vm -> vm.getMountPath().equals(root + "/" + claim)).findFirst()
              .orElseThrow(() -> new AssertionError(name + ": " + uri + " needs claim " + claim + " at " + root + "/" + claim));
          Volume v = pod.getSpec().getVolumes().stream().filter(vol -> vol.getName().equals(mount.getName()))
              .findFirst().orElseThrow();
          assertEquals(claim, v.getPersistentVolumeClaim() == null ? null : v.getPersistentVolumeClaim().getClaimName(),
              name + ": volume " + v.getName() + " mounted at " + mount.getMountPath());
        }
      }
    }));
  }

  @Test
  void gpuExampleAsksForOneGpuPerPodOnItsSite() throws IOException {
    List<Pod> pods = pods(DIR.resolve("cross-silo-gpu.yaml"));
    assertEquals(3, pods.size());
    for (Pod pod : pods) {
      Container worker = pod.getSpec().getContainers().get(0);
      assertEquals(new Quantity("1"), worker.getResources().getLimits().get("nvidia.com/gpu"), pod.getMetadata().getName());
      String silo = pod.getMetadata().getLabels().get("fedtt.io/silo");
      assertEquals(silo, pod.getSpec().getNodeSelector().get("fedtt.io/site"));
      assertTrue(worker.getImage().endsWith("-cuda"), worker.getImage());
      assertTrue(pod.getSpec().getTolerations().stream().anyMatch(t -> "nvidia.com/gpu".equals(t.getKey())));
    }
  }

  /** The data locations a pod's slot reads: its silo's train/eval, or the devices' data for a shard. */
  private static List<String> dataUris(FederatedFineTune job, Pod pod) {
    String silo = pod.getMetadata().getLabels().get("fedtt.io/silo");
    List<String> out = new ArrayList<>();
    SiloData d = null;
    if (job.getSpec().getSilos() != null) {
      d = job.getSpec().getSilos().stream().filter(s -> s.getName().equals(silo)).map(s -> s.getData())
          .findFirst().orElse(null);
    }
    if (d == null && job.getSpec().getDevices() != null) {
      d = job.getSpec().getDevices().getData();
    }
    if (d != null) {
      Stream.of(d.getTrain(), d.getEval()).filter(Objects::nonNull).forEach(out::add);
    }
    assertFalse(out.isEmpty(), pod.getMetadata().getName() + " reads no data");
    return out;
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> name.equals(e.getName())).map(EnvVar::getValue).findFirst().orElse(null);
  }

  /** The worker ServiceAccount of the chart installed as docs/platform.md does (release fedtt-operator). */
  private static String chartWorkerAccount() {
    String out = Helm.require().ok("template", "fedtt-operator", Repo.CHART.toString(), "--namespace", "fedtt-system");
    return StrictManifests.parse(out).stream().filter(o -> o instanceof ServiceAccount)
        .filter(o -> "worker".equals(o.getMetadata().getLabels().get("app.kubernetes.io/component")))
        .map(o -> o.getMetadata().getName()).findFirst().orElseThrow();
  }

  /** Directories the worker image's environment points the caches at (worker/pom.xml, image profile). */
  private static List<String> workerImageWritableDirs() throws IOException {
    String pom = Files.readString(Repo.ROOT.resolve("worker/pom.xml"));
    List<String> dirs = new ArrayList<>();
    for (String var : List.of("DJL_CACHE_DIR", "FEDTT_CACHE_DIR", "HOME")) {
      Matcher m = Pattern.compile("<" + var + ">([^<]+)</" + var + ">").matcher(pom);
      assertTrue(m.find(), "worker/pom.xml's image sets " + var);
      dirs.add(m.group(1).trim());
    }
    return dirs;
  }
}
