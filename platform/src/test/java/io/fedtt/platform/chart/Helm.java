package io.fedtt.platform.chart;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The helm binary, found on PATH, in $FEDTT_TOOLS or in ~/.cache/fedtt/tools (where
 * .ci/install-tools puts it). Without it the chart tests are skipped on a developer's machine and
 * fail in CI (CI=true), so a missing install step cannot pass as green.
 */
public final class Helm {

  /** What one helm command printed. */
  public record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private static final Optional<Path> BINARY = locate();
  private final Path binary;

  private Helm(Path binary) {
    this.binary = binary;
  }

  /** The helm to use, or the test is skipped (outside CI) or failed (in CI). */
  public static Helm require() {
    if (BINARY.isEmpty()) {
      String msg = "helm not found on PATH, in $FEDTT_TOOLS or in ~/.cache/fedtt/tools: run .ci/install-tools";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(msg);
      }
      Assumptions.abort(msg);
    }
    return new Helm(BINARY.get());
  }

  static Optional<Path> locate() {
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
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  public Result run(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(List.of(args));
    try {
      // Helm keeps its caches and config under these; a fresh temp home keeps runs independent.
      Path home = Files.createTempDirectory("helm-home");
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
      pb.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
      pb.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
      Process p = pb.start();
      CompletableFuture<String> out = read(p.getInputStream());
      CompletableFuture<String> err = read(p.getErrorStream());
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("helm did not finish in 120 s: " + cmd);
      }
      Result r = new Result(p.exitValue(), out.join(), err.join());
      try (Stream<Path> walk = Files.walk(home)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Runs helm and fails the test, with helm's own words, unless it exits 0. */
  public String ok(String... args) {
    Result r = run(args);
    if (!r.ok()) {
      fail("helm " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.stderr() + r.stdout());
    }
    return r.stdout();
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
}
