package io.fedtt.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.validation.FileReferenceChecker;
import io.fedtt.api.validation.ManifestValidator;
import io.fedtt.api.validation.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The offline validator ({@link ManifestValidator}, what {@code fedtt simulate} and the operator use)
 * and the real API server agree on the invalid manifests of the manifest module's test corpus: both
 * reject each one, and the API server's answer names the field the validator names. The few cases
 * where they differ on purpose are listed in {@link #DIFFERENT} with the reason.
 */
class InvalidManifestsTest {

  static final Path RESOURCES = Repo.ROOT.resolve("manifest/src/test/resources");
  static final Path CORPUS = RESOURCES.resolve("manifests/invalid");

  /** How a case is expected to differ from "both reject, same field", and why. */
  enum Difference {
    /** The validator reads the data files the manifest names; the API server cannot (they are on the silos). */
    VALIDATOR_READS_DATA_FILES,
    /** Not a parsable YAML document: kubectl refuses it before any request, so there is no field to compare. */
    NOT_YAML,
    /**
     * A key given twice: kubectl turns YAML into JSON keeping the last value, so {@code kubectl create}
     * never shows the API server the duplicate and succeeds. Sent as YAML with strict field
     * validation, the API server refuses it naming the field, as the validator does.
     */
    DUPLICATE_KEY,
    /**
     * kind is not FederatedFineTune: the request is about another kind (fedtt.io serves no Deployment,
     * so kubectl finds no such resource), so there is no FederatedFineTune field to compare.
     */
    OTHER_KIND,
    /**
     * The validator lays the adapter out for the model (projection names per family, TT factorizations of a
     * projection's shape); the CRD schema cannot express that, so the API server accepts the manifest and
     * the operator refuses it (InvalidSpec) with the validator's message.
     */
    VALIDATOR_LAYS_OUT_ADAPTER,
    /**
     * The validator runs the privacy accountant: a targetEpsilon below what a single round spends. No schema
     * rule can compute that, so the API server accepts the manifest; on a cluster the coordinator ends the
     * job before its first round with reason PrivacyBudgetExhausted.
     */
    VALIDATOR_ACCOUNTS_PRIVACY,
    /**
     * The validator counts the participants a round selects (silos, or the devices' sampling) to check a
     * secure-aggregation threshold against them; the schema bounds it only to 2..255, so the API server
     * accepts the manifest and the operator refuses it (InvalidSpec) with the validator's message.
     */
    VALIDATOR_COUNTS_ROUND_PARTICIPANTS
  }

  static final Map<String, Difference> DIFFERENT = Map.ofEntries(
      Map.entry("missing-data-file", Difference.VALIDATOR_READS_DATA_FILES),
      Map.entry("label-not-in-labels", Difference.VALIDATOR_READS_DATA_FILES),
      Map.entry("missing-label-field", Difference.VALIDATOR_READS_DATA_FILES),
      Map.entry("broken-jsonl", Difference.VALIDATOR_READS_DATA_FILES),
      Map.entry("causal-lm-missing-response-field", Difference.VALIDATOR_READS_DATA_FILES),
      Map.entry("causal-lm-empty-response", Difference.VALIDATOR_READS_DATA_FILES),
      Map.entry("causal-lm-classification-data", Difference.VALIDATOR_READS_DATA_FILES),
      Map.entry("yaml-syntax-error", Difference.NOT_YAML),
      Map.entry("duplicate-yaml-key", Difference.DUPLICATE_KEY),
      Map.entry("wrong-kind", Difference.OTHER_KIND),
      Map.entry("lora-target-unknown", Difference.VALIDATOR_LAYS_OUT_ADAPTER),
      Map.entry("tt-projections-unknown", Difference.VALIDATOR_LAYS_OUT_ADAPTER),
      Map.entry("tt-delta-without-factorization", Difference.VALIDATOR_LAYS_OUT_ADAPTER),
      Map.entry("dp-target-below-one-round", Difference.VALIDATOR_ACCOUNTS_PRIVACY),
      Map.entry("secure-aggregation-threshold-above-silos", Difference.VALIDATOR_COUNTS_ROUND_PARTICIPANTS));

  static ControlPlane cp;
  static ManifestValidator validator;
  static final Map<String, String> agreed = new TreeMap<>();

  @BeforeAll
  static void install() {
    cp = ControlPlane.get();
    Crd.install(cp);
    Crd.namespace(cp, "invalid");
    validator = ManifestValidator.standard().withReferenceChecker(new FileReferenceChecker(RESOURCES));
  }

  static List<Path> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicTest> validatorAndApiServerRejectTheSameField() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path file : corpus()) {
      String name = file.getFileName().toString().replace(".yaml", "");
      tests.add(DynamicTest.dynamicTest(name, () -> check(name, file)));
    }
    return tests.stream();
  }

  static void check(String name, Path file) {
    List<Problem> problems = validator.validate(file);
    assertFalse(problems.isEmpty(), name + ": the validator accepts it");
    Cmd.Result server = cp.kubectl("create", "--dry-run=server", "--validate=strict", "-n", "invalid",
        "-f", file.toString());
    Difference difference = DIFFERENT.get(name);
    if (difference == Difference.VALIDATOR_READS_DATA_FILES) {
      // Deliberately stricter offline: the schema and rules pass, only the files are wrong.
      assertTrue(server.ok(), name + ": the API server should accept it (only its data files are wrong): "
          + server.stderr());
      assertTrue(problems.stream().allMatch(p -> p.path().matches("spec\\.silos\\[\\d+]\\.data\\.(train|eval)")
          || p.path().equals("spec.evaluation.data")), name + ": " + problems);
      return;
    }
    if (difference == Difference.VALIDATOR_LAYS_OUT_ADAPTER) {
      assertTrue(server.ok(), name + ": the API server should accept it (only the adapter layout is wrong): "
          + server.stderr());
      assertTrue(problems.stream().allMatch(p -> p.path().startsWith("spec.adapter.")), name + ": " + problems);
      return;
    }
    if (difference == Difference.VALIDATOR_ACCOUNTS_PRIVACY
        || difference == Difference.VALIDATOR_COUNTS_ROUND_PARTICIPANTS) {
      assertTrue(server.ok(), name + ": the API server should accept it (only a privacy setting against the"
          + " participants per round is wrong): " + server.stderr());
      assertTrue(problems.stream().allMatch(p -> p.path().startsWith("spec.privacy.")), name + ": " + problems);
      return;
    }
    if (difference == Difference.DUPLICATE_KEY) {
      assertTrue(server.ok(), name + ": kubectl keeps the last value of a duplicate key: " + server.stderr());
      server = cp.postYaml("/apis/fedtt.io/v1alpha1/namespaces/invalid/federatedfinetunes?dryRun=All&fieldValidation=Strict",
          file);
      // The answer is a Status (JSON, so the quotes inside its message are escaped).
      assertTrue(server.stdout().contains("\"code\": 400"),
          name + ": the API server, given the YAML itself, should refuse it: " + server.stdout() + server.stderr());
      assertTrue(problems.stream().allMatch(p -> p.message().contains("Duplicate field")), problems.toString());
      String field = problems.get(0).message().replaceAll("(?s).*Duplicate field '([^']+)'.*", "$1");
      assertTrue(server.stdout().contains("key \\\"" + field + "\\\" already set in map"),
          name + ": the API server's answer names " + field + ": " + server.stdout());
      synchronized (agreed) {
        agreed.put(name, field);
      }
      return;
    }
    assertFalse(server.ok(), name + ": the API server accepts what the validator rejects: " + problems);
    if (difference == Difference.NOT_YAML) {
      assertTrue(problems.stream().allMatch(p -> p.path().isEmpty() && p.message().startsWith("YAML syntax error")),
          problems.toString());
      assertTrue(server.stderr().contains("yaml") || server.stderr().contains("YAML")
          || server.stderr().contains("json"), server.stderr());
      return;
    }
    if (difference == Difference.OTHER_KIND) {
      assertEquals("kind", problems.get(0).path(), problems.toString());
      assertTrue(server.stderr().contains("Deployment"), server.stderr());
      return;
    }
    for (Problem p : problems) {
      if (p.path().isEmpty()) {
        // A rule on the whole object (e.g. metadata.name's length): the same CEL rule, so the same message.
        assertTrue(server.stderr().contains(p.message()), name + ": the API server's answer lacks \"" + p.message()
            + "\"\nAPI server: " + server.stderr());
        continue;
      }
      assertTrue(names(server.stderr(), p.path()), name + ": the API server's answer does not name " + p.path()
          + " (validator: " + p + ")\nAPI server: " + server.stderr());
    }
    synchronized (agreed) {
      agreed.put(name, problems.get(0).path());
    }
  }

  /**
   * Whether the API server's error names field {@code path} (as "path: ..." or "unknown field \"path\"").
   * Map keys differ only in notation: the validator writes {@code limits[nvidia.com/gpu]}, the API
   * server {@code limits.nvidia.com/gpu}; list indices are written alike.
   */
  static boolean names(String serverError, String path) {
    String dotted = path.replaceAll("\\[([^\\]]*[^0-9\\]][^\\]]*)]", ".$1");
    for (String form : List.of(path, dotted)) {
      String p = Pattern.quote(form);
      if (Pattern.compile("(^|[\\s\"(\\[])" + p + "(: |\")").matcher(serverError).find()) {
        return true;
      }
    }
    return false;
  }

  @AfterAll
  static void enoughCasesAgree() {
    System.err.println("validator and API server agree on " + agreed.size() + " invalid manifests: " + agreed);
    if (cp != null) {
      assertTrue(agreed.size() >= 30, "at least 30 invalid manifests on which both agree, got " + agreed.size()
          + ": " + agreed.keySet());
    }
  }
}
