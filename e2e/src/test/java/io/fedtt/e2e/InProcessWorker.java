package io.fedtt.e2e;

import io.fedtt.operator.build.PodSettings;
import io.fedtt.operator.testing.TestKubelet;
import io.fedtt.worker.cli.WorkerMain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The container a worker pod runs, in this JVM: the real {@code fedtt worker} command started with
 * the pod's own arguments and environment, as the image's entry point would be. The token volume
 * (mounted at {@link PodSettings#TOKEN_DIR} in the pod) becomes a per-pod temp folder holding the
 * projected key; the image's environment (model cache, thread count) is laid under the pod's. A
 * non-zero exit becomes a {@link TestKubelet.ContainerExit} with that code.
 */
final class InProcessWorker implements TestKubelet.Worker {

  /** How one container ran: its exit code and what it printed. */
  record Exit(String pod, int code, String out, String err, long millis) {}

  private final Path scratch;
  private final Map<String, String> imageEnv;
  private final Map<String, Exit> exits = new ConcurrentHashMap<>();

  /**
   * @param scratch where each pod's mounted volumes are laid out
   * @param imageEnv variables the worker image sets (the pod's env wins, as in a container)
   */
  InProcessWorker(Path scratch, Map<String, String> imageEnv) {
    this.scratch = scratch;
    this.imageEnv = Map.copyOf(imageEnv);
  }

  /** Containers that have exited, by pod name. */
  Map<String, Exit> exits() {
    return Map.copyOf(exits);
  }

  @Override
  public void run(TestKubelet.WorkerArgs pod) throws Exception {
    Path tokenDir = Files.createDirectories(scratch.resolve(pod.pod()).resolve("token-volume"));
    Files.writeString(tokenDir.resolve("token"), pod.token());
    List<String> argv = mountedPaths(pod.argv(), PodSettings.TOKEN_DIR, tokenDir);
    Map<String, String> env = new LinkedHashMap<>(imageEnv);
    env.putAll(pod.env());

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long t0 = System.nanoTime();
    int code;
    try (PrintStream o = tee(out, pod.pod(), System.out); PrintStream e = tee(err, pod.pod(), System.err)) {
      code = WorkerMain.commandLine(env, o, e).execute(argv.toArray(String[]::new));
    }
    Exit exit = new Exit(pod.pod(), code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
        (System.nanoTime() - t0) / 1_000_000);
    exits.put(pod.pod(), exit);
    if (code != 0) {
      throw new TestKubelet.ContainerExit(code, "fedtt worker exited with " + code + ": " + exit.err().strip());
    }
  }

  /** Arguments with paths under the container's {@code mountPath} moved to {@code hostDir}. */
  static List<String> mountedPaths(List<String> argv, String mountPath, Path hostDir) {
    List<String> out = new ArrayList<>(argv.size());
    for (String a : argv) {
      if (a.equals(mountPath) || a.startsWith(mountPath + "/")) {
        out.add(hostDir.resolve(a.substring(Math.min(a.length(), mountPath.length() + 1))).toString());
      } else {
        out.add(a);
      }
    }
    return out;
  }

  /** Keeps what the worker prints and echoes it, prefixed with the pod's name, to the test log. */
  private static PrintStream tee(ByteArrayOutputStream keep, String pod, PrintStream echo) {
    return new PrintStream(new OutputStream() {
      private final ByteArrayOutputStream line = new ByteArrayOutputStream();

      @Override
      public synchronized void write(int b) throws IOException {
        keep.write(b);
        if (b == '\n') {
          echo.println(pod + " | " + line.toString(StandardCharsets.UTF_8));
          line.reset();
        } else {
          line.write(b);
        }
      }
    }, true, StandardCharsets.UTF_8);
  }
}
