package io.fedtt.cli.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a running {@code fedtt simulate} (its own JVM, the cheap learner): it says on stderr what
 * happened, and the folder tells an interrupted run from a finished one: results.json has
 * {@code "status": "interrupted"}, an INTERRUPTED file explains, and the previous run's report and
 * adapter are gone instead of looking current.
 */
class SimulateSigtermTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    @Timeout(120)
    void sigtermMarksTheRunInterruptedAndLeavesNoStaleOutputs(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.json"), "{\"job\":\"three-silos\",\"method\":\"FedTT\",\"final\":{}}");
        Files.writeString(out.resolve("report.html"), "<html>yesterday's report</html>");
        Files.writeString(out.resolve("adapter.safetensors"), "yesterday's adapter");
        Path stdout = dir.resolve("stdout.log");
        Path stderr = dir.resolve("stderr.log");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SlowSimulateMain.class.getName(),
                Path.of("src/test/resources/simulate/three-silos.yaml").toAbsolutePath().toString(),
                "--out", out.toString(), "--data-dir", REPO.toString(), "--local-steps", "200");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(stdout).contains("three-silos: FedTT")) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "the run starts:\n" + Files.readString(stderr));
            Thread.sleep(100);
        }
        Thread.sleep(1500); // into round 1's local steps
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "simulate exits after SIGTERM");
        String err = Files.readString(stderr);
        assertEquals(143, p.exitValue(), err);
        assertTrue(err.contains("interrupted"), err);
        assertTrue(err.contains(out.resolve("results.json").toString()), err);

        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals("interrupted", results.get("status").asText(), results.toString());
        assertTrue(Files.exists(out.resolve("INTERRUPTED")));
        assertFalse(Files.exists(out.resolve("report.html")), "no stale report.html");
        assertFalse(Files.exists(out.resolve("adapter.safetensors")), "no stale adapter");
    }
}
