package io.fedtt.api.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fedtt.api.mapping.FederationJobMapper;
import io.fedtt.api.mapping.JobDescriptions;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.validation.InvalidManifestException;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.api.validation.Problem;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.federation.JobId;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mutations of every example manifest (examples/ and examples/k8s/), with a fixed seed: deleted and
 * duplicated keys, wrong types, huge and non-finite numbers, unicode, truncation, random bytes. Each
 * must end where {@code fedtt simulate} would end before loading a model: a job the mapping turns into
 * the coordinator's spec and a worker's description, or problems that name what is wrong. Never an
 * exception, never a hang. (Data files are not read: the reference checks are the data readers' own
 * tests.)
 */
class ManifestFuzzTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final long SEED = 20261202L;
    private static final int MUTATIONS_PER_MANIFEST = 300;
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Test
    @Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyMutationEndsInAJobOrProblemsNeverAnException() throws IOException {
        List<Path> manifests = new ArrayList<>();
        for (String folder : List.of("examples", "examples/k8s")) {
            try (Stream<Path> list = Files.list(REPO.resolve(folder))) {
                list.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(manifests::add);
            }
        }
        assertTrue(manifests.size() >= 8, "examples found: " + manifests);
        ManifestValidator validator = ManifestValidator.standard();
        Random random = new Random(SEED);
        int valid = 0;
        int invalid = 0;
        long slowestMillis = 0;
        List<String> failures = new ArrayList<>();
        for (Path manifest : manifests) {
            String original = Files.readString(manifest);
            JsonNode tree = YAML.readTree(original);
            validator.validate(original); // warm-up: the slowest input below is an input's own cost
            for (int i = 0; i < MUTATIONS_PER_MANIFEST; i++) {
                String input = mutate(original, tree, random);
                long t0 = System.nanoTime();
                try {
                    if (endsInAJob(validator, input)) {
                        valid++;
                    } else {
                        invalid++;
                    }
                } catch (Throwable e) {
                    if (failures.size() < 20) {
                        failures.add(REPO.relativize(manifest) + " mutation " + i + ": " + e + "\n--- input ---\n"
                                + abbreviate(input));
                    }
                }
                slowestMillis = Math.max(slowestMillis, (System.nanoTime() - t0) / 1_000_000);
            }
        }
        System.out.printf("manifest fuzz: %d inputs, %d valid jobs, %d invalid with problems, slowest %d ms%n",
                valid + invalid + failures.size(), valid, invalid, slowestMillis);
        if (!failures.isEmpty()) {
            fail(failures.size() + " inputs threw:\n" + String.join("\n\n", failures));
        }
        assertTrue(slowestMillis < 10_000, "an input took " + slowestMillis + " ms");
    }

    /** True for a valid job (mapped like simulate and the operator map it), false for problems with messages. */
    private static boolean endsInAJob(ManifestValidator validator, String input) {
        FederatedFineTune resource;
        try {
            resource = validator.load(input);
        } catch (InvalidManifestException e) {
            assertTrue(!e.problems().isEmpty(), "an invalid manifest has problems");
            for (Problem p : e.problems()) {
                String m = p.message();
                assertTrue(!m.isBlank() && !m.contains("\tat ") && !m.contains("Exception") && m.length() < 2_000,
                        "a plain message: " + p);
            }
            return false;
        }
        var problem = FederationJobMapper.modelProblem(resource.getSpec());
        if (problem.isPresent()) {
            return false; // simulate: exit 2 with "spec.model.uri: ..."
        }
        ModelConfig model = FederationJobMapper.modelConfig(resource.getSpec()).orElseThrow();
        JobId id = new JobId("default", resource.getMetadata().getName());
        FederationJobMapper.layout(resource.getSpec(), model);
        FederationJobMapper.jobSpec(id, resource.getSpec(), model);
        JobDescriptions.forSimulation(id, resource.getSpec());
        return true;
    }

    // ---------------------------------------------------------------------------------------------

    private static String mutate(String text, JsonNode tree, Random r) {
        int kind = r.nextInt(10);
        return switch (kind) {
            case 0 -> text.substring(0, r.nextInt(text.length() + 1)); // truncated
            case 1 -> { // a line deleted or duplicated (duplicate keys)
                List<String> lines = new ArrayList<>(text.lines().toList());
                int at = r.nextInt(lines.size());
                if (r.nextBoolean()) {
                    lines.remove(at);
                } else {
                    lines.add(at, lines.get(at));
                }
                yield String.join("\n", lines);
            }
            case 2 -> { // random characters spliced in
                StringBuilder b = new StringBuilder(text);
                for (int n = 1 + r.nextInt(4); n > 0; n--) {
                    b.insert(r.nextInt(b.length() + 1), randomText(r, 1 + r.nextInt(3)));
                }
                yield b.toString();
            }
            default -> { // a tree mutation, written back as YAML (2-3 mutations at once)
                JsonNode copy = tree.deepCopy();
                for (int n = 1 + r.nextInt(3); n > 0; n--) {
                    copy = mutateTree(copy, r);
                }
                try {
                    yield YAML.writeValueAsString(copy);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    private static JsonNode mutateTree(JsonNode root, Random r) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(r.nextInt(containers.size()));
        if (target instanceof ObjectNode o && o.size() > 0) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            String name = names.get(r.nextInt(names.size()));
            switch (r.nextInt(4)) {
                case 0 -> o.remove(name);
                case 1 -> o.set(name + (r.nextBoolean() ? "X" : ""), strange(r));
                default -> o.set(name, strange(r));
            }
        } else if (target instanceof ArrayNode a && a.size() > 0) {
            int i = r.nextInt(a.size());
            switch (r.nextInt(3)) {
                case 0 -> a.remove(i);
                case 1 -> a.add(a.get(i).deepCopy());
                default -> a.set(i, strange(r));
            }
        }
        return root;
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.forEach(child -> collect(child, out));
        }
    }

    /** A value of a surprising type or size. */
    private static JsonNode strange(Random r) {
        return switch (r.nextInt(16)) {
            case 0 -> NODES.numberNode(Double.NaN);
            case 1 -> NODES.numberNode(Double.POSITIVE_INFINITY);
            case 2 -> NODES.numberNode(new BigInteger("9".repeat(1 + r.nextInt(60))));
            case 3 -> NODES.numberNode(-1 - r.nextInt(1000));
            case 4 -> NODES.numberNode(0);
            case 5 -> NODES.numberNode(Long.MAX_VALUE);
            case 6 -> NODES.numberNode(Integer.MAX_VALUE);
            case 7 -> NODES.numberNode(r.nextDouble() * Math.pow(10, r.nextInt(40) - 20));
            case 8 -> NODES.textNode(randomText(r, r.nextInt(40)));
            case 9 -> NODES.textNode("x".repeat(r.nextInt(5000)));
            case 10 -> NODES.booleanNode(r.nextBoolean());
            case 11 -> NODES.nullNode();
            case 12 -> NODES.arrayNode().add(r.nextInt(100)).add("a");
            case 13 -> NODES.objectNode().put("unexpected", r.nextInt());
            case 14 -> NODES.textNode(List.of("builtin:gpt-17", "file:/etc/passwd", "hf:a/b", "https://x", "pvc:p/m",
                    "BUILTIN:ALL-MINILM-L6-V2", "", " ", "../../x", "tt", "lora", "full", "FedTTPlus").get(r.nextInt(13)));
            default -> NODES.numberNode(r.nextInt(Integer.MAX_VALUE) * (r.nextBoolean() ? 1 : -1));
        };
    }

    private static String randomText(Random r, int length) {
        String[] pool = {"\u0000", "\t", "\n", ":", "{", "}", "[", "]", "-", "#", "&a", "*a", "!!binary", "'", "\"",
            "\u00e9", "\u4e2d", "\ud83d\ude00", "\ud800", "\u202e", "\ufeff", "%", "@", "|", ">", ",", ".nan", "~"};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(r.nextInt(3) == 0 ? (char) ('a' + r.nextInt(26)) : pool[r.nextInt(pool.length)]);
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 1500 ? s : s.substring(0, 1500) + "...";
    }
}
