package io.fedtt.cluster;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs a command to completion and keeps what it printed; finds helm the way the chart tests do. */
public final class Cmd {

  /** What one command printed. */
  public record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private Cmd() {}

  /** Runs {@code cmd} with {@code stdin} (null = none) and waits at most {@code timeout}. */
  public static Result run(Duration timeout, String stdin, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).start();
      CompletableFuture<String> out = read(p.getInputStream());
      CompletableFuture<String> err = read(p.getErrorStream());
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        fail("did not finish in " + timeout + ": " + String.join(" ", cmd));
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + List.of(cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static CompletableFuture<String> read(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** helm on PATH, in $FEDTT_TOOLS or in ~/.cache/fedtt/tools (where .ci/install-tools puts it). */
  public static Path helm() {
    List<Path> candidates = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "helm"));
        }
      }
    }
    String tools = System.getenv("FEDTT_TOOLS");
    if (tools != null && !tools.isEmpty()) {
      candidates.add(Path.of(tools, "helm"));
    }
    candidates.add(Path.of(System.getProperty("user.home"), ".cache", "fedtt", "tools", "helm"));
    Optional<Path> found = candidates.stream().filter(Files::isExecutable).findFirst();
    if (found.isEmpty()) {
      String msg = "helm not found on PATH, in $FEDTT_TOOLS or in ~/.cache/fedtt/tools: run .ci/install-tools";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(msg);
      }
      Assumptions.abort(msg);
    }
    return found.get();
  }

  /** {@code helm template} of the chart with release name {@code release} in {@code namespace}. */
  public static String helmTemplate(String release, String namespace, String... extra) {
    List<String> cmd = new ArrayList<>(List.of(helm().toString(), "template", release, Repo.CHART.toString(),
        "--namespace", namespace));
    cmd.addAll(List.of(extra));
    try {
      Path home = Files.createTempDirectory("helm-home");
      List<String> env = List.of("env", "HELM_CACHE_HOME=" + home.resolve("cache"),
          "HELM_CONFIG_HOME=" + home.resolve("config"), "HELM_DATA_HOME=" + home.resolve("data"));
      List<String> all = new ArrayList<>(env);
      all.addAll(cmd);
      Result r = run(Duration.ofSeconds(120), null, all.toArray(String[]::new));
      try (java.util.stream.Stream<Path> walk = Files.walk(home)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
      if (!r.ok()) {
        fail(String.join(" ", cmd) + " exited " + r.exitCode() + ":\n" + r.stderr());
      }
      return r.stdout();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
