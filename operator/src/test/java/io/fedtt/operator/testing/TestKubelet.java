package io.fedtt.operator.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fedtt.operator.build.Labels;
import io.fedtt.operator.build.PodSettings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A kubelet for the mock or a real API server, with no container runtime: watches the operator's
 * worker pods, marks them Running, runs each one's container as a {@link Worker} (reading its
 * arguments and its projected token the way the real container would), and reports the outcome
 * as Succeeded or Failed. Tests can fail a pod with a chosen reason (OOMKilled, Error), put it into
 * a waiting state (ImagePullBackOff) or keep new pods Pending. e2e tests plug the real worker in as
 * the Worker; the cluster tests run it as a local process.
 */
public final class TestKubelet implements AutoCloseable {

  /**
   * A container's process. Returns normally for exit code 0; an exception is a non-zero exit
   * (its code from {@link ContainerExit}, else 1).
   */
  @FunctionalInterface
  public interface Worker {
    void run(WorkerArgs args) throws Exception;
  }

  /**
   * What a worker container is started with: its arguments, its literal environment variables and
   * the content of its token file.
   */
  public record WorkerArgs(String pod, String endpoint, String job, String silo, String token, List<String> argv,
                           Map<String, String> env) {}

  /** A worker's non-zero exit: the pod fails with this exit code in its container status. */
  public static final class ContainerExit extends Exception {
    private final int exitCode;

    public ContainerExit(int exitCode, String message) {
      super(message);
      if (exitCode == 0) {
        throw new IllegalArgumentException("exit code 0 is success, not a ContainerExit");
      }
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  private final KubernetesClient client;
  private final Worker worker;
  private final SharedIndexInformer<Pod> informer;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-kubelet-worker");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Future<?>> running = new ConcurrentHashMap<>();
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private final Set<String> killed = ConcurrentHashMap.newKeySet();
  private volatile boolean holdPending;

  public TestKubelet(KubernetesClient client, Worker worker) {
    this.client = client;
    this.worker = worker;
    this.informer = client.pods().inAnyNamespace().withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod pod) {
            maybeStart(pod);
          }

          @Override
          public void onUpdate(Pod old, Pod pod) {
            maybeStart(pod);
          }

          @Override
          public void onDelete(Pod pod, boolean unknown) {
            String key = key(pod);
            killed.add(key);
            stop(key);
            // A pod created later under the same name is a new pod.
            started.remove(key);
            killed.remove(key);
          }
        });
  }

  /** While true, new pods stay Pending (not scheduled). */
  public void holdPending(boolean value) {
    holdPending = value;
  }

  /** Pods this kubelet has started (namespace/name). */
  public Set<String> started() {
    return Set.copyOf(started);
  }

  /** Kills a pod's worker and marks the pod Failed, its container terminated with {@code reason}. */
  public void fail(String namespace, String pod, String reason, int exitCode) {
    String key = namespace + "/" + pod;
    killed.add(key);
    stop(key);
    setStatus(namespace, pod, failed(reason, exitCode, reason + " (test kubelet)"));
  }

  /** Kills a pod's worker and leaves its container waiting with {@code reason} (e.g. ImagePullBackOff). */
  public void waiting(String namespace, String pod, String reason, String message) {
    String key = namespace + "/" + pod;
    killed.add(key);
    stop(key);
    setStatus(namespace, pod, new PodStatusBuilder().withPhase("Pending")
        .withContainerStatuses(new ContainerStatusBuilder().withName(PodSettings.CONTAINER).withReady(false)
            .withState(new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message)
                .endWaiting().build()).build())
        .build());
  }

  /** Marks a pod Pending and unschedulable, as the scheduler would. */
  public void unschedulable(String namespace, String pod, String message) {
    String key = namespace + "/" + pod;
    killed.add(key);
    stop(key);
    setStatus(namespace, pod, new PodStatusBuilder().withPhase("Pending")
        .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
            .withReason("Unschedulable").withMessage(message).build())
        .build());
  }

  private void maybeStart(Pod pod) {
    String key = key(pod);
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels != null && !Labels.WORKER.equals(labels.get(Labels.COMPONENT))) {
      return; // a model probe pod: tests drive it themselves
    }
    if (holdPending || pod.getMetadata().getDeletionTimestamp() != null || killed.contains(key)
        || !notYetStarted(pod) || !started.add(key)) {
      return;
    }
    WorkerArgs args;
    try {
      args = argsOf(pod);
    } catch (RuntimeException e) {
      setStatus(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
          failed("CreateContainerConfigError", 1, e.getMessage()));
      return;
    }
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    setStatus(ns, name, new PodStatusBuilder().withPhase("Running")
        .withStartTime(now())
        .withContainerStatuses(new ContainerStatusBuilder().withName(PodSettings.CONTAINER).withReady(true)
            .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(now()).endRunning().build())
            .build())
        .build());
    running.put(key, threads.submit(() -> {
      try {
        worker.run(args);
        if (!killed.contains(key)) {
          setStatus(ns, name, new PodStatusBuilder().withPhase("Succeeded")
              .withContainerStatuses(new ContainerStatusBuilder().withName(PodSettings.CONTAINER)
                  .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(0).withReason("Completed")
                      .withFinishedAt(now()).endTerminated().build()).build())
              .build());
        }
      } catch (Throwable e) {
        if (!killed.contains(key) && !Thread.currentThread().isInterrupted()) {
          int code = e instanceof ContainerExit exit ? exit.exitCode() : 1;
          setStatus(ns, name, failed("Error", code, String.valueOf(e.getMessage())));
        }
      } finally {
        running.remove(key);
      }
    }));
  }

  /**
   * A pod no kubelet has touched: no status (the mock server), or Pending with no container status
   * yet (what a real API server writes on create).
   */
  private static boolean notYetStarted(Pod pod) {
    PodStatus st = pod.getStatus();
    return st == null || st.getPhase() == null
        || "Pending".equals(st.getPhase()) && (st.getContainerStatuses() == null || st.getContainerStatuses().isEmpty());
  }

  /** Reads the container's arguments and the token its Secret volume would project. */
  WorkerArgs argsOf(Pod pod) {
    Container c = pod.getSpec().getContainers().stream().filter(x -> PodSettings.CONTAINER.equals(x.getName()))
        .findFirst().orElseThrow(() -> new IllegalStateException("pod has no worker container"));
    List<String> argv = c.getArgs();
    Volume v = pod.getSpec().getVolumes().stream().filter(x -> PodSettings.TOKEN_VOLUME.equals(x.getName()))
        .findFirst().orElseThrow(() -> new IllegalStateException("pod has no token volume"));
    if (v.getSecret().getItems().size() != 1) {
      throw new IllegalStateException("token volume projects " + v.getSecret().getItems().size() + " keys, not 1");
    }
    String key = v.getSecret().getItems().get(0).getKey();
    Secret secret = client.secrets().inNamespace(pod.getMetadata().getNamespace())
        .withName(v.getSecret().getSecretName()).get();
    if (secret == null || secret.getData() == null || !secret.getData().containsKey(key)) {
      throw new IllegalStateException("secret " + v.getSecret().getSecretName() + " has no key " + key);
    }
    String token = new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    Map<String, String> env = new LinkedHashMap<>();
    if (c.getEnv() != null) {
      // Literal values only; this kubelet resolves no valueFrom references.
      c.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
    }
    return new WorkerArgs(pod.getMetadata().getName(), arg(argv, "--endpoint"), arg(argv, "--job"),
        arg(argv, "--silo"), token, List.copyOf(argv), Collections.unmodifiableMap(env));
  }

  private static String arg(List<String> argv, String flag) {
    int i = argv.indexOf(flag);
    if (i < 0 || i + 1 >= argv.size()) {
      throw new IllegalStateException("worker arguments lack " + flag + ": " + argv);
    }
    return argv.get(i + 1);
  }

  private static PodStatus failed(String reason, int exitCode, String message) {
    return new PodStatusBuilder().withPhase("Failed")
        .withContainerStatuses(new ContainerStatusBuilder().withName(PodSettings.CONTAINER).withReady(false)
            .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode).withReason(reason)
                .withMessage(message).withFinishedAt(now()).endTerminated().build()).build())
        .build();
  }

  private void setStatus(String ns, String name, PodStatus status) {
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        Pod current = client.pods().inNamespace(ns).withName(name).get();
        if (current == null) {
          return;
        }
        current.setStatus(status);
        client.pods().inNamespace(ns).resource(current).updateStatus();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return;
        }
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
  }

  private void stop(String key) {
    Future<?> f = running.remove(key);
    if (f != null) {
      f.cancel(true);
    }
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  @Override
  public void close() {
    informer.close();
    running.values().forEach(f -> f.cancel(true));
    threads.shutdownNow();
  }
}
