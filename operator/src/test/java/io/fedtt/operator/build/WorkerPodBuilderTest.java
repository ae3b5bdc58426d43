package io.fedtt.operator.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fedtt.api.mapping.JobDescriptions;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.job.JobDescription;
import io.fedtt.core.job.JobDescriptionJson;
import io.fedtt.api.v1alpha1.DevicesSpec;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.SiloData;
import io.fedtt.api.v1alpha1.SiloSpec;
import io.fedtt.operator.testing.Jobs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerPodBuilderTest {

  static final PodSettings SETTINGS = PodSettings.of("ghcr.io/fedtt/worker:test", "http://fedtt-operator.fedtt:8443");

  private static Pod build(FederatedFineTune job, int silo) {
    return WorkerPodBuilder.build(job, WorkerSlots.of(job).get(silo), 0, SETTINGS);
  }

  private static Container worker(Pod p) {
    return p.getSpec().getContainers().stream().filter(c -> c.getName().equals("worker")).findFirst().orElseThrow();
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
  }

  @Test
  void defaultsWithoutTemplate() {
    FederatedFineTune job = Jobs.job("team-a", "spam", 3, "alpha", "beta");
    Pod p = build(job, 1);
    assertEquals("spam-beta-0", p.getMetadata().getName());
    assertEquals("team-a", p.getMetadata().getNamespace());
    assertEquals(Map.of(Labels.NAME, "fedtt", Labels.COMPONENT, "worker", Labels.MANAGED_BY, "fedtt-operator",
        Labels.JOB, "spam", Labels.SILO, "beta", Labels.ATTEMPT, "0"), p.getMetadata().getLabels());
    var owner = p.getMetadata().getOwnerReferences().get(0);
    assertEquals("FederatedFineTune", owner.getKind());
    assertEquals("fedtt.io/v1alpha1", owner.getApiVersion());
    assertEquals(job.getMetadata().getUid(), owner.getUid());
    assertTrue(owner.getController());
    assertEquals("Never", p.getSpec().getRestartPolicy());
    assertFalse(p.getSpec().getAutomountServiceAccountToken());
    assertTrue(p.getSpec().getSecurityContext().getRunAsNonRoot());

    Container c = worker(p);
    assertEquals("ghcr.io/fedtt/worker:test", c.getImage());
    assertEquals(List.of("worker", "--endpoint", "http://fedtt-operator.fedtt:8443", "--job", "team-a/spam",
        "--silo", "beta", "--token-file", "/var/run/fedtt/token"), c.getArgs());
    assertEquals("http://fedtt-operator.fedtt:8443", env(c, "FEDTT_ENDPOINT"));
    assertEquals("team-a/spam", env(c, "FEDTT_JOB"));
    assertEquals("beta", env(c, "FEDTT_SILO"));
    JobDescription description = JobDescriptionJson.read(env(c, "FEDTT_JOB_DESCRIPTION"));
    assertEquals(JobDescriptions.forSilo(new JobId("team-a", "spam"), job.getSpec(), "beta"), description);
    assertEquals("beta", ((JobDescription.Silo) description.participant()).name());
    assertFalse(env(c, "FEDTT_JOB_DESCRIPTION").contains("/data/alpha/"), "a pod learns no other silo's data");
    assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
    assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
  }

  @Test
  void tokenVolumeProjectsOnlyTheSilosKey() {
    FederatedFineTune job = Jobs.job("ns", "j", 1, "alpha", "beta", "gamma");
    Pod p = build(job, 2);
    Volume token = p.getSpec().getVolumes().stream().filter(v -> v.getName().equals(PodSettings.TOKEN_VOLUME))
        .findFirst().orElseThrow();
    assertEquals("j-tokens", token.getSecret().getSecretName());
    assertEquals(1, token.getSecret().getItems().size());
    assertEquals("gamma", token.getSecret().getItems().get(0).getKey());
    assertEquals("token", token.getSecret().getItems().get(0).getPath());
    var mount = worker(p).getVolumeMounts().stream().filter(m -> m.getName().equals(PodSettings.TOKEN_VOLUME))
        .findFirst().orElseThrow();
    assertEquals("/var/run/fedtt", mount.getMountPath());
    assertTrue(mount.getReadOnly());
  }

  @Test
  void siloOverridesTemplate() {
    FederatedFineTune job = Jobs.job("ns", "j", 1, "hospital-a");
    job.getSpec().setWorkerTemplate(new PodTemplateSpecBuilder()
        .withNewMetadata().addToLabels("team", "ml").addToLabels(Labels.SILO, "spoofed").endMetadata()
        .withNewSpec()
          .addToNodeSelector("pool", "cpu").addToNodeSelector("zone", "a")
          .addToTolerations(new TolerationBuilder().withKey("spot").withOperator("Exists").build())
          .withAffinity(new AffinityBuilder().withNewNodeAffinity().endNodeAffinity().build())
          .withRestartPolicy("Always")
          .withSecurityContext(new PodSecurityContextBuilder().withRunAsUser(1234L).build())
          .addToVolumes(new VolumeBuilder().withName("cache").withNewEmptyDir().endEmptyDir().build())
          .addToContainers(new ContainerBuilder().withName("sidecar").withImage("busybox").build())
          .addToContainers(new ContainerBuilder().withName("worker").withImage("custom:1")
              .addNewEnv().withName("LOG").withValue("debug").endEnv()
              .addNewEnv().withName("FEDTT_SILO").withValue("spoofed").endEnv()
              .withResources(new ResourceRequirementsBuilder()
                  .addToRequests("cpu", new Quantity("1")).addToRequests("memory", new Quantity("2Gi"))
                  .addToLimits("memory", new Quantity("4Gi")).build())
              .build())
        .endSpec().build());
    SiloSpec silo = job.getSpec().getSilos().get(0);
    silo.setNodeSelector(Map.of("pool", "gpu", "site", "hospital-a"));
    silo.setTolerations(List.of(new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Exists")
        .withEffect("NoSchedule").build()));
    silo.setAffinity(new AffinityBuilder().withNewPodAntiAffinity().endPodAntiAffinity().build());
    silo.setResources(new ResourceRequirementsBuilder().addToLimits("nvidia.com/gpu", new Quantity("1"))
        .addToLimits("memory", new Quantity("16Gi")).build());
    silo.setEnv(List.of(new EnvVar("LOG", "info", null)));
    silo.setVolumes(List.of(new VolumeBuilder().withName("data").withNewPersistentVolumeClaim("hospital-a-data", true)
        .build()));
    silo.setVolumeMounts(List.of(new VolumeMountBuilder().withName("data").withMountPath("/data").build()));

    Pod p = build(job, 0);
    assertEquals(Map.of("pool", "gpu", "zone", "a", "site", "hospital-a"), p.getSpec().getNodeSelector());
    assertEquals(2, p.getSpec().getTolerations().size());
    assertTrue(p.getSpec().getAffinity().getPodAntiAffinity() != null);
    assertNull(p.getSpec().getAffinity().getNodeAffinity());
    assertEquals("Never", p.getSpec().getRestartPolicy());
    assertEquals(1234L, p.getSpec().getSecurityContext().getRunAsUser());
    assertEquals("ml", p.getMetadata().getLabels().get("team"));
    assertEquals("hospital-a", p.getMetadata().getLabels().get(Labels.SILO));
    assertEquals(List.of("sidecar", "worker"), p.getSpec().getContainers().stream().map(Container::getName).toList());

    Container c = worker(p);
    assertEquals("custom:1", c.getImage());
    assertEquals("info", env(c, "LOG"));
    assertEquals("hospital-a", env(c, "FEDTT_SILO"));
    assertEquals(new Quantity("1"), c.getResources().getLimits().get("nvidia.com/gpu"));
    assertEquals(new Quantity("16Gi"), c.getResources().getLimits().get("memory"));
    assertEquals(new Quantity("2Gi"), c.getResources().getRequests().get("memory"));
    assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/data")));
    List<String> volumes = p.getSpec().getVolumes().stream().map(Volume::getName).toList();
    assertTrue(volumes.containsAll(List.of("cache", "data", PodSettings.TOKEN_VOLUME)), volumes.toString());
  }

  @Test
  void templateIsNotModified() {
    FederatedFineTune job = Jobs.job("ns", "j", 1, "a");
    job.getSpec().setWorkerTemplate(new PodTemplateSpecBuilder().withNewSpec()
        .addToContainers(new ContainerBuilder().withName("worker").build()).endSpec().build());
    String before = Serialization.asJson(job);
    build(job, 0);
    assertEquals(before, Serialization.asJson(job));
  }

  @Test
  void sameInputsSamePod() {
    FederatedFineTune job = Jobs.job("ns", "j", 1, "a", "b");
    assertEquals(Serialization.asJson(build(job, 0)), Serialization.asJson(build(job, 0)));
    assertNotEquals(build(job, 0).getMetadata().getName(),
        WorkerPodBuilder.build(job, WorkerSlots.of(job).get(0), 1, SETTINGS).getMetadata().getName());
  }

  @Test
  void crossDeviceOnePodPerShard() {
    FederatedFineTune job = Jobs.job("ns", "phones", 1, "x");
    job.getSpec().setSilos(null);
    DevicesSpec d = new DevicesSpec();
    d.setCount(1000);
    d.setWorkers(3);
    SiloData data = new SiloData();
    data.setTrain("file:/data/all.jsonl");
    d.setData(data);
    job.getSpec().setDevices(d);
    List<WorkerSlot> slots = WorkerSlots.of(job);
    assertEquals(List.of("worker-0", "worker-1", "worker-2"), slots.stream().map(WorkerSlot::name).toList());
    Pod p = WorkerPodBuilder.build(job, slots.get(2), 0, SETTINGS);
    assertEquals("phones-worker-2-0", p.getMetadata().getName());
    Container c = worker(p);
    assertEquals(List.of("--shard", "2", "--shards", "3"), c.getArgs().subList(c.getArgs().size() - 4, c.getArgs().size()));
    assertEquals("2", env(c, "FEDTT_SHARD"));
    JobDescription.Devices devices = (JobDescription.Devices) JobDescriptionJson.read(env(c, "FEDTT_JOB_DESCRIPTION"))
        .participant();
    assertEquals(1000, devices.count());
    assertEquals(3, devices.workers());
    assertEquals("file:/data/all.jsonl", devices.train());
  }

  @Test
  void longNamesStayValidLabelsAndHostnames() {
    String longName = "a".repeat(120);
    FederatedFineTune job = Jobs.job("ns", longName, 1, "silo-with-a-fairly-long-name");
    Pod p = build(job, 0);
    assertTrue(p.getMetadata().getName().length() <= 63, p.getMetadata().getName());
    assertTrue(p.getMetadata().getName().endsWith("-silo-with-a-fairly-long-name-0"));
    assertTrue(p.getMetadata().getLabels().get(Labels.JOB).length() <= 63);
    assertNotEquals(Labels.value("a".repeat(120)), Labels.value("a".repeat(121)));
  }
}
