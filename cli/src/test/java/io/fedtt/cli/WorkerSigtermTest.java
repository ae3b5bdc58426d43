package io.fedtt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.worker.cli.WorkerCommand;
import io.fedtt.worker.engine.EngineSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real worker process (the JVM the fedtt launcher starts) receives SIGTERM in the middle of a
 * round: it abandons the round between two steps, says so, uploads nothing and exits with 143.
 * (Its output goes to a file: Process.destroy() closes the pipes, losing the last lines.)
 */
class WorkerSigtermTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void sigtermWhileTrainingAbandonsTheRoundAndExits() throws Exception {
        EngineSettings.fromEnvironment(System.getenv()).start();
        MiniLmCache.ensure();
        try (WorkerJobFixture job = new WorkerJobFixture(dir, "sigterm", 1, 500)) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                    FedttCommand.class.getName()));
            cmd.addAll(job.args("silo-a", "--manifest", job.manifest.toString(), "--threads", "1"));
            Path log = dir.resolve("worker.log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.readString(log).contains("round 1/1:")) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, "the worker starts round 1:\n" + Files.readString(log));
                Thread.sleep(100);
            }
            Thread.sleep(1500); // into the local steps
            long t0 = System.nanoTime();
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the worker exits after SIGTERM");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            String out = Files.readString(log);
            System.out.println(out + "\nexited " + ms + " ms after SIGTERM");
            assertEquals(143, p.exitValue(), out);
            assertTrue(out.contains("stopped (SIGTERM) while training: round 1 abandoned after"), out);
            assertTrue(job.coordinator.received().isEmpty(), "nothing was uploaded");
        }
    }
}
