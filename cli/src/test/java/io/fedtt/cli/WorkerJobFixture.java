package io.fedtt.cli;

import io.fedtt.worker.cli.WorkerCommand;
import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.mapping.JobDescriptions;
import io.fedtt.core.job.JobDescriptionJson;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.JobId;
import io.fedtt.core.federation.coordinator.CoordinatorOptions;
import io.fedtt.core.federation.coordinator.RoundCoordinator;
import io.fedtt.core.federation.server.FederationServer;
import io.fedtt.core.federation.server.ServerConfig;
import io.fedtt.core.federation.server.TokenRegistry;
import io.fedtt.core.federation.store.MemoryRoundStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A two-silo job on tiny data served by an in-process federation server and coordinator, as the
 * operator would host it: the manifest file, the data files, one token file per silo.
 */
final class WorkerJobFixture implements AutoCloseable {

    static final List<String> SILOS = List.of("silo-a", "silo-b");

    final Path dir;
    final JobId job;
    final Path manifest;
    final String manifestText;
    final Map<String, Path> tokenFiles = new LinkedHashMap<>();
    final RoundCoordinator coordinator;
    final FederationServer server;

    WorkerJobFixture(Path dir, String name, int rounds, int localSteps) throws IOException {
        this.dir = dir;
        this.job = new JobId("e2e", name);
        writeData(dir);
        manifestText = """
                apiVersion: fedtt.io/v1alpha1
                kind: FederatedFineTune
                metadata: {name: %s, namespace: e2e}
                spec:
                  model: {uri: "builtin:all-minilm-l6-v2", task: sequence-classification, labels: [ham, spam], maxSequenceLength: 32}
                  adapter: {type: tt, ttRank: 5, bottleneck: 64}
                  method: {algorithm: FedTT}
                  rounds: {total: %d, localSteps: %d, batchSize: 4, learningRate: 1.0e-3, minSilos: 2, roundTimeoutSeconds: 300, seed: 5}
                  data: {textField: text, labelField: label}
                  silos:
                  - name: silo-a
                    data: {train: "file:silo-a.jsonl", eval: "file:silo-a-eval.jsonl"}
                  - name: silo-b
                    data: {train: "file:silo-b.jsonl"}
                """.formatted(name, rounds, localSteps);
        manifest = dir.resolve(name + ".yaml");
        Files.writeString(manifest, manifestText);
        FederatedFineTune resource = ManifestValidator.standard().load(manifestText);
        coordinator = RoundCoordinator.open(FederationJobMapper.jobSpec(job, resource.getSpec(),
                ModelConfig.allMiniLmL6V2(2)), new MemoryRoundStore(), CoordinatorOptions.defaults());
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String s : SILOS) {
            String token = "token-of-" + s + "-0123456789abcdef";
            tokens.put(s, token);
            Path f = dir.resolve(name + "-" + s + ".token");
            Files.writeString(f, token + "\n");
            tokenFiles.put(s, f);
        }
        server = FederationServer.start(ServerConfig.loopback());
        server.host(coordinator, TokenRegistry.of(tokens));
    }

    /** A silo's resolved job description as JSON, as the operator puts it into FEDTT_JOB_DESCRIPTION. */
    String descriptionJson(String silo) throws IOException {
        FederatedFineTune resource = ManifestValidator.standard().load(manifestText);
        return JobDescriptionJson.write(JobDescriptions.forSilo(job, resource.getSpec(), silo));
    }

    List<String> args(String silo, String... extra) {
        List<String> a = new ArrayList<>(List.of("worker", "--endpoint", server.baseUri().toString(), "--job",
                job.toString(), "--silo", silo, "--token-file", tokenFiles.get(silo).toString(), "--data-dir",
                dir.toString(), "--cache-dir", MiniLmCache.DIR.toAbsolutePath().toString(), "--retries", "3"));
        a.addAll(List.of(extra));
        return a;
    }

    static void writeData(Path dir) throws IOException {
        String[] ham = {"Are we still meeting for lunch tomorrow?", "The build failed again, see the log.",
            "Minutes of the kernel list meeting", "Can you review my patch to the spec file?",
            "Thanks for the photos from the trip", "The quarterly report is due on Friday"};
        String[] spam = {"WIN a FREE iPhone now!!! Click here", "Cheap meds online, no prescription",
            "You have been selected for a $1,000,000 prize", "Lose 20 pounds in 2 weeks, guaranteed!!!",
            "Earn $5000 a week working from home", "URGENT: your account is suspended, verify now"};
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        StringBuilder e = new StringBuilder();
        for (int i = 0; i < ham.length; i++) {
            StringBuilder to = i % 2 == 0 ? a : b;
            to.append(line(ham[i], "ham")).append(line(spam[i], "spam"));
            e.append(line(ham[i].toLowerCase(), "ham"));
            to.append(line(ham[(i + 1) % ham.length] + " Regards.", "ham"));
        }
        e.append(line("free prize click now", "spam")).append(line("cheap watches, huge discount", "spam"));
        Files.writeString(dir.resolve("silo-a.jsonl"), a);
        Files.writeString(dir.resolve("silo-b.jsonl"), b);
        Files.writeString(dir.resolve("silo-a-eval.jsonl"), e);
    }

    private static String line(String text, String label) {
        return "{\"text\": \"" + text.replace("\"", "\\\"") + "\", \"label\": \"" + label + "\"}\n";
    }

    @Override
    public void close() {
        server.close();
        coordinator.close();
    }
}
