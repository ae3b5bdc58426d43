package io.fedtt.cluster;

import io.fedtt.operator.build.PodSettings;
import io.fedtt.operator.testing.TestKubelet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A worker container as a local process: {@code fedtt worker} ({@code io.fedtt.worker.cli.WorkerMain},
 * the worker image's entry point) in its own JVM, started with the pod's arguments and environment
 * over the image's, its token volume laid out as a folder holding the Secret's projected key, in
 * the repository root (so {@code file:examples/...} data paths resolve as in {@code fedtt simulate}).
 * The process's exit code becomes the container's; a pod deleted or killed destroys the process.
 */
final class ProcessWorker implements TestKubelet.Worker {

  /** How one container ran. */
  record Exit(String pod, int code, Path log, long millis) {}

  private final Path scratch;
  private final Map<String, String> imageEnv;
  private final Map<String, Exit> exits = new ConcurrentHashMap<>();
  private final Map<String, Process> running = new ConcurrentHashMap<>();
  private final Map<String, Path> logs = new ConcurrentHashMap<>();

  ProcessWorker(Path scratch, Map<String, String> imageEnv) {
    this.scratch = scratch;
    this.imageEnv = Map.copyOf(imageEnv);
  }

  /** Containers that have exited, by pod name. */
  Map<String, Exit> exits() {
    return Map.copyOf(exits);
  }

  /** Pods whose process runs now. */
  Set<String> running() {
    return Set.copyOf(running.keySet());
  }

  /** What a pod's container has written so far (empty before it starts). */
  String output(String pod) {
    Path log = logs.get(pod);
    try {
      return log == null || !Files.exists(log) ? "" : Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /** Kills a pod's process (SIGKILL), as an OOM kill or a crashed node would: its container exits 137. */
  boolean kill(String pod) {
    Process p = running.get(pod);
    if (p == null) {
      return false;
    }
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    return true;
  }

  @Override
  public void run(TestKubelet.WorkerArgs pod) throws Exception {
    Path podDir = Files.createDirectories(scratch.resolve(pod.pod() + "-" + System.nanoTime()));
    Path tokenDir = Files.createDirectories(podDir.resolve("token-volume"));
    Files.writeString(tokenDir.resolve("token"), pod.token());
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-Dai.djl.pytorch.num_threads=1");
    cmd.add("-Dai.djl.pytorch.num_interop_threads=1");
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    // The class path in an argument file: surefire's is too long for a command line.
    Path argfile = podDir.resolve("classpath.args");
    Files.writeString(argfile, "-cp \"" + classPath().replace("\\", "\\\\") + "\"\n");
    cmd.add("@" + argfile);
    cmd.add("io.fedtt.worker.cli.WorkerMain");
    for (String a : pod.argv()) {
      cmd.add(a.equals(PodSettings.TOKEN_DIR) || a.startsWith(PodSettings.TOKEN_DIR + "/")
          ? tokenDir.resolve(a.substring(Math.min(a.length(), PodSettings.TOKEN_DIR.length() + 1))).toString()
          : a);
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(Repo.ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(podDir.resolve("container.log").toFile());
    pb.environment().putAll(imageEnv);
    pb.environment().putAll(pod.env());
    long t0 = System.nanoTime();
    logs.put(pod.pod(), podDir.resolve("container.log"));
    Process p = pb.start();
    running.put(pod.pod(), p);
    int code;
    try {
      code = p.waitFor();
    } catch (InterruptedException e) {
      // The pod was deleted or failed by the kubelet: stop the container.
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw e;
    } finally {
      running.remove(pod.pod(), p);
    }
    Exit exit = new Exit(pod.pod(), code, podDir.resolve("container.log"), (System.nanoTime() - t0) / 1_000_000);
    exits.put(pod.pod(), exit);
    System.err.printf("process kubelet: %s exited %d after %d ms (log %s)%n", pod.pod(), code, exit.millis(), exit.log());
    if (code != 0) {
      throw new TestKubelet.ContainerExit(code, "fedtt worker exited with " + code + ": " + tail(exit.log()));
    }
  }

  static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
