package io.fedtt.worker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.DataFormat;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.job.JobDescription;
import io.fedtt.core.job.JobDescriptionJson;
import io.fedtt.core.job.WorkerEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker image's command line: {@code worker} only, from a job description, and each bad
 * description refused with exit 2 and a message naming what is wrong, before any server or model is
 * touched. (Whole runs against a server are the cli module's WorkerCommandTest and the e2e tests.)
 */
class WorkerMainTest {

    @TempDir
    Path dir;
    Path token;

    record Run(int code, String out, String err) {}

    @BeforeEach
    void token() throws IOException {
        token = dir.resolve("token");
        Files.writeString(token, "t0ken\n");
    }

    static JobDescription description(String train) {
        return new JobDescription(JobId.parse("ns/job"),
                new JobDescription.Model("builtin:all-minilm-l6-v2", null, null, "sequence-classification",
                        List.of("ham", "spam"), 32, ModelConfig.allMiniLmL6V2(2)),
                AdapterConfig.tt(), 5, new JobDescription.Data("text", "label", DataFormat.AUTO),
                new JobDescription.Silo("a", train, null), new JobDescription.Training(0, 0, 1));
    }

    Run run(Map<String, String> env, String... extra) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("worker", "--endpoint", "http://127.0.0.1:1", "--job", "ns/job",
                "--silo", "a", "--token-file", token.toString(), "--data-dir", dir.toString(), "--retries", "1"));
        args.addAll(List.of(extra));
        int code = WorkerMain.commandLine(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args.toArray(String[]::new));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutADescriptionItSaysWhereOneComesFrom() {
        Run r = run(Map.of());
        assertEquals(WorkerCommand.EXIT_INVALID, r.code());
        assertEquals("fedtt worker: error: no job description: set FEDTT_JOB_DESCRIPTION or pass --job-description FILE",
                r.err().strip());
    }

    @Test
    void aBrokenDescriptionIsNamedWithItsField() {
        Run json = run(Map.of(WorkerEnvironment.ENV_JOB_DESCRIPTION, "{not json"));
        assertEquals(WorkerCommand.EXIT_INVALID, json.code());
        assertTrue(json.err().contains("FEDTT_JOB_DESCRIPTION: invalid job description: not valid JSON"), json.err());

        String unknown = JobDescriptionJson.write(description("file:a.jsonl")).replace("\"seed\":5", "\"seed\":5,\"spec\":{}");
        Run field = run(Map.of(WorkerEnvironment.ENV_JOB_DESCRIPTION, unknown));
        assertEquals(WorkerCommand.EXIT_INVALID, field.code());
        assertTrue(field.err().contains("spec is not a known field"), field.err());
    }

    @Test
    void aDescriptionOfAnotherJobOrSiloIsRefused() throws IOException {
        JobDescription d = description("file:a.jsonl");
        Path other = dir.resolve("other-job.json");
        Files.writeString(other, JobDescriptionJson.write(new JobDescription(JobId.parse("ns/other"), d.model(),
                d.adapter(), d.seed(), d.data(), d.participant(), d.training())));
        Run job = run(Map.of(), "--job-description", other.toString());
        assertEquals(WorkerCommand.EXIT_INVALID, job.code());
        assertTrue(job.err().contains("describes job ns/other, not --job ns/job"), job.err());
        Path siloB = dir.resolve("silo-b.json");
        Files.writeString(siloB, JobDescriptionJson.write(d.withParticipant(new JobDescription.Silo("b", "file:b.jsonl", null))));
        Run silo = run(Map.of(), "--job-description", siloB.toString());
        assertEquals(WorkerCommand.EXIT_INVALID, silo.code());
        assertTrue(silo.err().contains("silo 'b''s, not --silo a"), silo.err());
    }

    @Test
    void aMissingDataFileIsNamedBeforeTheEndpointIsAsked() {
        Run r = run(Map.of(WorkerEnvironment.ENV_JOB_DESCRIPTION, JobDescriptionJson.write(description("file:nope.jsonl"))));
        assertEquals(WorkerCommand.EXIT_INVALID, r.code());
        assertTrue(r.err().contains(dir.resolve("nope.jsonl").toString()) && r.err().contains("not found"), r.err());
    }

    @Test
    void theImageOffersWorkerOnly() {
        Run r = run(Map.of(), "--help");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = WorkerMain.commandLine(Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute("simulate", "x.yaml");
        assertEquals(2, code, "simulate is the fedtt CLI's, not the worker image's");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("simulate"), err.toString(StandardCharsets.UTF_8));
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--job-description"), r.out());
    }
}
