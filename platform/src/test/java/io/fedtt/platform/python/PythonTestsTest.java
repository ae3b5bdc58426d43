package io.fedtt.platform.python;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fedtt.platform.Repo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The repository's Python tests (the quality suite's report and the data preparation helpers) run
 * with the README's test command: pytest in a child process, its output shown when it fails.
 */
class PythonTestsTest {

  @Test
  void pytestPasses() throws IOException, InterruptedException {
    List<String> cmd = List.of("python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "bench/tests");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(Repo.ROOT.toFile()).redirectErrorStream(true);
    pb.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // leave no __pycache__ in the checkout
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
    }
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + new String(out, StandardCharsets.UTF_8));
  }
}
