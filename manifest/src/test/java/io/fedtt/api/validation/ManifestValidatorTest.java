package io.fedtt.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ManifestValidatorTest {
  static ManifestValidator validator;

  @BeforeAll
  static void build() {
    validator = ManifestValidator.standard().withReferenceChecker(new FileReferenceChecker(TestFiles.root()));
  }

  static Stream<Path> validManifests() throws IOException {
    try (Stream<Path> files = Files.list(TestFiles.manifest("valid"))) {
      return files.sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("validManifests")
  void validManifestsHaveNoProblems(Path manifest) {
    assertEquals(List.of(), validator.validate(manifest), manifest.getFileName().toString());
  }

  /** Each invalid manifest differs from a valid one in one place and yields exactly one problem. */
  static Stream<Arguments> invalidManifests() {
    String data = TestFiles.root().resolve("data") + "/";
    return Stream.of(
        Arguments.of("missing-model-uri", "spec.model.uri", "required field is missing"),
        Arguments.of("wrong-type-total", "spec.rounds.total", "must be an integer, not \"ten\""),
        Arguments.of("wrong-type-object", "spec.adapter", "must be an object (a mapping), not \"tt\""),
        Arguments.of("below-minimum-ttrank", "spec.adapter.ttRank", "must be >= 1 (found 0)"),
        Arguments.of("above-maximum-sequence-length", "spec.model.maxSequenceLength", "must be <= 512 (found 1024)"),
        Arguments.of("exclusive-minimum-learning-rate", "spec.rounds.learningRate", "must be > 0 (found 0)"),
        Arguments.of("bad-enum-algorithm", "spec.method.algorithm", "must be one of FedTT, FedTTPlus (found \"FedAvg\")"),
        Arguments.of("bad-pattern-silo-name", "spec.silos[1].name", "must match ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ (found \"Site_B\")"),
        Arguments.of("bad-pattern-model-uri", "spec.model.uri", "must match ^(builtin:[a-z0-9][a-z0-9._-]*|file:.+|pvc:[a-z0-9]([-a-z0-9.]*[a-z0-9])?(/.*)?|https://.+|hf:[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?)$ (found \"s3://models/minilm\")"),
        Arguments.of("architecture-heads-do-not-divide-hidden", "spec.model.architecture",
            "hiddenSize must be a multiple of numHeads"),
        Arguments.of("architecture-missing-hidden-size", "spec.model.architecture.hiddenSize", "required field is missing"),
        Arguments.of("architecture-kv-heads-do-not-divide-heads", "spec.model.architecture.numKeyValueHeads",
            "numHeads must be a multiple of numKeyValueHeads"),
        Arguments.of("bert-grouped-query-attention", "spec.model.architecture.numKeyValueHeads",
            "numKeyValueHeads must equal numHeads for family BERT (no grouped-query attention)"),
        Arguments.of("llama-without-max-positions", "spec.model.architecture.maxPositions",
            "maxPositions is required for family LLAMA (config.json max_position_embeddings)"),
        Arguments.of("llama-type-vocab-size", "spec.model.architecture.typeVocabSize",
            "typeVocabSize must be 0 (or left out) for family LLAMA: it has no token-type embeddings"),
        Arguments.of("tt-projections-unknown", "spec.adapter.ttProjections[1]", "unknown projection 'foo' for a LLAMA"
            + " model; known: [q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj]"),
        Arguments.of("tt-delta-without-factorization", "spec.adapter.ttProjections[0]", "a TT delta on up_proj would be"
            + " 4096x11008, which has no factorization into TT modes between 4 and 16; leave up_proj out"),
        Arguments.of("lora-target-unknown", "spec.adapter.targets[1]", "unknown projection 'gate_proj' for a BERT model;"
            + " known: [query, key, value, attention.output.dense, intermediate.dense, output.dense]"),
        Arguments.of("too-few-labels", "spec.model.labels", "a sequence-classification job needs at least two labels"),
        Arguments.of("classification-without-labels", "spec.model.labels",
            "a sequence-classification job needs at least two labels"),
        Arguments.of("causal-lm-with-labels", "spec.model.labels", "a causal-lm job has no labels"),
        Arguments.of("causal-lm-bert-model", "spec.model.task", "causal-lm needs a LLAMA-family model"),
        Arguments.of("causal-lm-dirichlet-partition", "spec.devices.partition.by",
            "dirichlet partitions by label and needs task sequence-classification; use iid or field for causal-lm"),
        Arguments.of("prompt-and-response-same-field", "spec.data.responseField",
            "promptField and responseField must name different fields"),
        Arguments.of("duplicate-labels", "spec.model.labels", "label ham is listed more than once"),
        Arguments.of("unknown-field", "spec.adapter.ttrank", "unknown field (did you mean ttRank?)"),
        Arguments.of("int-or-string", "spec.silos[0].resources.limits[nvidia.com/gpu]", "must be an integer or a string, not a list"),
        Arguments.of("duplicate-silo-names", "spec.silos", "silo name site-a is used more than once"),
        Arguments.of("issue-snippet-minsilos", "spec.rounds.minSilos", "rounds.minSilos must not exceed the number of silos"),
        Arguments.of("silos-and-devices", "spec", "set exactly one of silos (cross-silo) or devices (cross-device)"),
        Arguments.of("neither-silos-nor-devices", "spec", "set exactly one of silos (cross-silo) or devices (cross-device)"),
        Arguments.of("both-local-steps-and-epochs", "spec.rounds", "set exactly one of localSteps or localEpochs"),
        Arguments.of("neither-local-steps-nor-epochs", "spec.rounds", "set exactly one of localSteps or localEpochs"),
        Arguments.of("trim-fraction-without-trimmed-mean", "spec.method.aggregation.trimFraction", "trimFraction applies only to rule trimmedMean"),
        Arguments.of("trim-fraction-half", "spec.method.aggregation.trimFraction", "must be < 0.5 (found 0.5)"),
        Arguments.of("zero-max-examples-per-update", "spec.method.aggregation.maxExamplesPerUpdate", "must be >= 1 (found 0)"),
        Arguments.of("server-optimizer-tau-without-adaptive", "spec.method.serverOptimizer.tau", "tau applies only to type fedadam or fedyogi"),
        Arguments.of("server-optimizer-beta2-one", "spec.method.serverOptimizer.beta2", "must be < 1 (found 1.0)"),
        Arguments.of("learning-rate-decay-unknown", "spec.rounds.learningRateDecay", "must be one of constant, cosine (found \"step\")"),
        Arguments.of("communication-encoding-unknown", "spec.communication.encoding",
            "must be one of bfloat16, float16, float32, int8 (found \"int4\")"),
        Arguments.of("communication-encoding-disagrees-with-wire-dtype", "spec.communication.encoding",
            "adapter.wireDtype (deprecated) and communication.encoding disagree; set only communication.encoding"),
        Arguments.of("proximal-mu-negative", "spec.method.proximalMu", "must be >= 0 (found -0.1)"),
        Arguments.of("proximal-mu-not-a-number", "spec.method.proximalMu", "must be a number, not \"strong\""),
        Arguments.of("logit-adjustment-negative", "spec.method.logitAdjustment", "must be >= 0 (found -1.0)"),
        Arguments.of("dp-delta-one", "spec.privacy.differentialPrivacy.delta", "must be < 1 (found 1.0)"),
        Arguments.of("dp-clip-norm-zero", "spec.privacy.differentialPrivacy.clipNorm", "must be > 0 (found 0)"),
        Arguments.of("dp-noise-multiplier-missing", "spec.privacy.differentialPrivacy.noiseMultiplier", "required field is missing"),
        Arguments.of("dp-mode-unknown", "spec.privacy.differentialPrivacy.mode", "must be one of central, local (found \"global\")"),
        Arguments.of("dp-central-with-median", "spec.method.aggregation",
            "central differential privacy needs method.aggregation rule fedavg without clipNorm (privacy.differentialPrivacy.clipNorm clips)"),
        Arguments.of("dp-target-below-one-round", "spec.privacy.differentialPrivacy.targetEpsilon",
            "a single round already spends epsilon 10.73 at delta 1.0E-5 (central DP, noiseMultiplier 0.5, 3 of 3 participants per round),"
            + " more than the target 1.0; raise noiseMultiplier or targetEpsilon"),
        Arguments.of("secure-aggregation-with-median", "spec.method.aggregation",
            "privacy.secureAggregation needs method.aggregation rule fedavg without clipNorm: the coordinator sees only the sum of a round's updates"),
        Arguments.of("secure-aggregation-with-central-dp", "spec.privacy.differentialPrivacy.mode",
            "privacy.secureAggregation hides each update from the coordinator, which central differential privacy clips; use differentialPrivacy.mode local"),
        Arguments.of("secure-aggregation-with-budget", "spec.communication.budgetBytes",
            "communication.budgetBytes cannot be combined with privacy.secureAggregation yet: the budget planner does not price its messages"),
        Arguments.of("secure-aggregation-threshold-above-silos", "spec.privacy.secureAggregation.threshold",
            "secureAggregation.threshold must be more than half of the 3 participants per round, at least 2 and at most 3, got 4"),
        Arguments.of("secure-aggregation-threshold-one", "spec.privacy.secureAggregation.threshold", "must be >= 2 (found 1)"),
        Arguments.of("budget-bytes-zero", "spec.communication.budgetBytes", "communication.budgetBytes must be a positive number of bytes"),
        Arguments.of("bad-enum-aggregation-rule", "spec.method.aggregation.rule", "must be one of fedavg, median, trimmedMean (found \"krum\")"),
        Arguments.of("freezing-without-fedtt-plus", "spec.method.freezing", "a freezing policy other than none needs algorithm FedTTPlus"),
        Arguments.of("wrong-kind", "kind", "must be FederatedFineTune (found \"Deployment\")"),
        Arguments.of("bad-metadata-name", "metadata.name", "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.',"
            + " starting and ending with a letter or digit (found \"Quick_Start\")"),
        Arguments.of("metadata-name-too-long", "", "metadata.name must be at most 63 characters: it also names the job's Service and labels"),
        Arguments.of("yaml-syntax-error", "", "YAML syntax error at line 13: while parsing a flow node: expected the node content, but found ','"),
        Arguments.of("duplicate-yaml-key", "", "YAML syntax error at line 11: Duplicate field 'maxSequenceLength'"),
        Arguments.of("missing-data-file", "spec.silos[1].data.train", "file not found: " + data + "site-x.jsonl"),
        Arguments.of("label-not-in-labels", "spec.silos[0].data.train", data + "bad-labels.jsonl has labels that are not in"
            + " spec.model.labels [ham, spam]: \"eggs\" (line 2), \"7\" (line 3)"),
        Arguments.of("missing-label-field", "spec.silos[0].data.train", data + "no-label.jsonl line 2 has no field \"label\""
            + " (it has text, category); see spec.data.labelField"),
        Arguments.of("broken-jsonl", "spec.silos[0].data.train", data + "broken.jsonl line 2: is not valid JSON:"
            + " Unexpected end-of-input within/between Object entries"),
        Arguments.of("causal-lm-missing-response-field", "spec.silos[0].data.train", data + "sft-no-response.jsonl"
            + " line 2 has no field \"response\" (it has prompt, answer); see spec.data.responseField"),
        Arguments.of("causal-lm-empty-response", "spec.silos[0].data.eval", data + "sft-empty-response.jsonl line 2"
            + " has an empty response (field \"response\"): a causal-lm example needs a response to learn"),
        Arguments.of("causal-lm-classification-data", "spec.silos[0].data.train", data + "site-a.jsonl line 1 has no"
            + " field \"prompt\" (it has text, label); see spec.data.promptField"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidManifests")
  void invalidManifestsYieldOneProblemWithPathAndMessage(String name, String path, String message) {
    List<Problem> problems = validator.validate(TestFiles.manifest("invalid/" + name + ".yaml"));
    assertEquals(List.of(new Problem(path, message)), problems);
  }

  @Test
  void everyInvalidManifestIsCovered() throws IOException {
    try (Stream<Path> files = Files.list(TestFiles.manifest("invalid"))) {
      List<String> onDisk = files.map(p -> p.getFileName().toString().replace(".yaml", "")).sorted().toList();
      List<String> tested = invalidManifests().map(a -> (String) a.get()[0]).sorted().toList();
      assertEquals(onDisk, tested);
    }
  }

  @Test
  void allProblemsAreReportedAtOnce() {
    String yaml = """
        apiVersion: fedtt.io/v1alpha1
        kind: FederatedFineTune
        metadata: {name: many}
        spec:
          model: {uri: "ftp://x", labels: [a]}
          adapter: {ttRank: 100, type: tensor}
          rounds: {total: 0, localSteps: 1, localEpochs: 1}
          silos: [{name: a, data: {train: "file:x.jsonl"}}, {name: a, data: {}}]
        """;
    List<Problem> problems = ManifestValidator.standard().validate(yaml);
    assertEquals(List.of(
        "spec.adapter.ttRank", "spec.adapter.type", "spec.model.labels", "spec.model.uri",
        "spec.rounds",
        "spec.rounds.total", "spec.silos", "spec.silos[1].data.train"), problems.stream().map(Problem::path).toList(),
        problems.toString());
  }

  @Test
  void referenceChecksRunOnlyWhenAsked() {
    Path manifest = TestFiles.manifest("invalid/missing-data-file.yaml");
    assertEquals(List.of(), ManifestValidator.standard().validate(manifest));
  }

  @Test
  void unreadableOrOddInputIsAProblemNotAnException() {
    assertEquals(List.of(new Problem("", "the manifest is empty")), validator.validate(""));
    assertEquals(List.of(new Problem("", "the manifest is empty")), validator.validate("# only a comment\n"));
    assertEquals(List.of(new Problem("", "expected a YAML mapping with apiVersion, kind, metadata and spec, found a list")),
        validator.validate("[1, 2]"));
    assertEquals(List.of(new Problem("", "expected one YAML document, found 2; put each FederatedFineTune in its own file")),
        validator.validate("a: 1\n---\nb: 2\n"));
    assertEquals(List.of(new Problem("", "no manifest given")), validator.validate((String) null));
    Path missing = TestFiles.root().resolve("nope.yaml");
    assertEquals(1, validator.validate(missing).size());
    assertTrue(validator.validate(missing).get(0).message().startsWith("cannot read " + missing));
  }

  @Test
  void mangledManifestsNeverThrow() throws IOException {
    String quickstart = Files.readString(TestFiles.manifest("valid/quickstart.yaml"));
    java.util.Random random = new java.util.Random(42);
    int invalid = 0;
    for (int i = 0; i < 300; i++) {
      StringBuilder text = new StringBuilder(quickstart);
      for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
        int at = random.nextInt(text.length());
        switch (random.nextInt(3)) {
          case 0 -> text.deleteCharAt(at);
          case 1 -> text.insert(at, "{}[]:-,'\"\n 0aZ#&*!|>".charAt(random.nextInt(19)));
          default -> text.setCharAt(at, (char) (32 + random.nextInt(95)));
        }
      }
      List<Problem> problems = validator.validate(text.toString());
      invalid += problems.isEmpty() ? 0 : 1;
      problems.forEach(p -> assertFalse(p.message().isBlank(), p.toString()));
    }
    assertTrue(invalid > 100, "most random edits should be caught, caught " + invalid);
  }
}
