package io.fedtt.cli.simulate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fedtt.cli.simulate.report.HtmlReport;
import io.fedtt.cli.simulate.report.ResultsJson;
import io.fedtt.cli.simulate.report.RunResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The files {@code fedtt simulate} owns in its output folder, and how they say what state the run is
 * in, so a reader never takes an earlier run's results for this one's:
 *
 * <ul>
 *   <li>at the start, the previous run's {@code report.html}, {@code INTERRUPTED} and the adapters this
 *       run will write are removed, and {@code results.json} says {@code "status": "running"};
 *   <li>at a normal end, {@code results.json} ({@code "status": "succeeded"}) and {@code report.html}
 *       are written, each atomically;
 *   <li>on SIGTERM or Ctrl-C (the shutdown hook), or when the run fails, {@code results.json} says
 *       {@code "interrupted"} or {@code "failed"} with the methods that finished, an {@code INTERRUPTED}
 *       file explains, and stderr says what happened.
 * </ul>
 *
 * Nothing else in the folder is touched.
 */
final class RunOutputs {

    static final String RESULTS = "results.json";
    static final String REPORT = "report.html";
    static final String ADAPTER = "adapter.safetensors";
    static final String INTERRUPTED = "INTERRUPTED";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final String job;
    private final List<Method> methods;
    private final PrintStream stderr;
    private final List<RunResult> finished = new ArrayList<>();
    private String current;
    private boolean ended;
    private Thread hook;

    RunOutputs(Path dir, String job, List<Method> methods, PrintStream stderr) {
        this.dir = dir;
        this.job = job;
        this.methods = List.copyOf(methods);
        this.stderr = stderr;
    }

    /** Where method {@code m}'s adapter goes. */
    Path runDir(Method m) {
        return methods.size() == 1 ? dir : dir.resolve(m.flag());
    }

    /** "DIR/adapter.safetensors, DIR/results.json, DIR/report.html" (with several methods, DIR/<method>/...). */
    String describe() {
        return dir.resolve(methods.size() == 1 ? ADAPTER : "<method>/" + ADAPTER) + ", " + dir.resolve(RESULTS) + ", "
                + dir.resolve(REPORT);
    }

    /** Clears the previous run's outputs, marks the folder as running and installs the signal handling. */
    synchronized void start() throws IOException {
        Files.deleteIfExists(dir.resolve(INTERRUPTED));
        Files.deleteIfExists(dir.resolve(REPORT));
        for (Method m : methods) {
            Files.deleteIfExists(runDir(m).resolve(ADAPTER));
        }
        write(status("running"));
        hook = new Thread(this::onSignal, "fedtt-simulate-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    synchronized void running(Method m) {
        current = m.label();
    }

    synchronized void finished(RunResult r) {
        finished.add(r);
        current = null;
    }

    /** The normal end: results.json and report.html. */
    synchronized void succeeded() throws IOException {
        ObjectNode root = ResultsJson.toJson(finished);
        ObjectNode withStatus = JSON.createObjectNode();
        withStatus.put("status", "succeeded");
        withStatus.setAll(root);
        write(withStatus);
        HtmlReport.write(finished, dir.resolve(REPORT));
        end();
    }

    /** The run failed ({@code fedtt} exits 1 or 2): results.json says so and why. */
    synchronized void failed(String reason) {
        ObjectNode o = status("failed");
        o.put("reason", reason);
        try {
            write(o);
        } catch (IOException e) {
            stderr.println("fedtt: cannot write " + dir.resolve(RESULTS) + ": " + e.getMessage());
        }
        end();
    }

    private void end() {
        ended = true;
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down; onSignal sees ended and does nothing
            }
        }
    }

    /** The shutdown hook: the JVM is stopping (SIGTERM, SIGINT) before the run ended. */
    synchronized void onSignal() {
        if (ended) {
            return;
        }
        ended = true;
        String during = current == null ? "" : " during " + current;
        ObjectNode o = status("interrupted");
        if (current != null) {
            o.put("interruptedDuring", current);
        }
        try {
            write(o);
            Files.writeString(dir.resolve(INTERRUPTED), "fedtt simulate was stopped" + during + " at " + Instant.now()
                    + " before it finished; results.json lists the methods that finished (if any).\n"
                    + "No report.html was written; adapters exist only for finished methods.\n", StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            stderr.println("fedtt: cannot mark " + dir + " as interrupted: " + e.getMessage());
        }
        Simulation.deleteOwnStateFolders();
        stderr.println("fedtt: interrupted" + during + " (stopped by a signal); " + dir.resolve(RESULTS)
                + " says \"status\": \"interrupted\", see " + dir.resolve(INTERRUPTED));
        stderr.flush();
    }

    private ObjectNode status(String status) {
        ObjectNode o = JSON.createObjectNode();
        o.put("status", status);
        o.put("job", job);
        ArrayNode list = o.putArray("methods");
        methods.forEach(m -> list.add(m.label()));
        if (!finished.isEmpty()) {
            ObjectNode done = ResultsJson.toJson(finished);
            ArrayNode runs = o.putArray("finished");
            if (done.has("runs")) {
                done.get("runs").forEach(runs::add);
            } else {
                runs.add(done);
            }
        }
        return o;
    }

    private void write(ObjectNode o) throws IOException {
        Path file = dir.resolve(RESULTS);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), o);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
