package io.fedtt.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Checks a FederatedFineTune manifest without a cluster, the way the API server would accept it:
 * YAML syntax; apiVersion, kind, metadata.name and spec; null pruning and schema defaults; the CRD's
 * openAPIV3Schema (networknt json-schema-validator); the CRD's own CEL rules (cel-java), so every
 * rule is written once, in the model's annotations; the checks that need the model's family and shape
 * ({@link LayoutChecks}: projection names, the adapter's layout); then checks that need more than the manifest
 * through a {@link ReferenceChecker} (e.g. {@link FileReferenceChecker}: data files and labels).
 *
 * <p>Every method that returns problems returns all of them, sorted by path, and never throws on
 * bad input. Instances are immutable and thread-safe; building one compiles the schema and the
 * rules (a few hundred milliseconds), so keep it ({@link #standard()} is shared).
 */
public final class ManifestValidator {
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /**
   * The largest manifest read, in bytes (and code points of YAML text): 1 MiB. Kubernetes stores at most
   * about 1.5 MB per object; a real FederatedFineTune is a few kilobytes. A larger file is refused before
   * it is read or parsed (a 50 MB YAML scalar kept the parser busy for minutes at 1.7 GB).
   */
  public static final int MAX_MANIFEST_BYTES = 1 << 20;

  private static volatile ManifestValidator standard;

  private final CrdSchema crd;
  private final SchemaChecker schema;
  private final CelRules rules;
  private final ReferenceChecker references;

  private ManifestValidator(CrdSchema crd, SchemaChecker schema, CelRules rules, ReferenceChecker references) {
    this.crd = crd;
    this.schema = schema;
    this.rules = rules;
    this.references = references;
  }

  /** The validator for the CRD bundled in this jar, with no reference checks. Shared. */
  public static ManifestValidator standard() {
    ManifestValidator v = standard;
    if (v == null) {
      synchronized (ManifestValidator.class) {
        if (standard == null) {
          standard = forCrd(CrdSchema.fromClasspath());
        }
        v = standard;
      }
    }
    return v;
  }

  /** A validator for another version of the CRD (YAML or JSON of the CustomResourceDefinition). */
  public static ManifestValidator forCrd(String crdYaml) {
    return forCrd(CrdSchema.fromYaml(crdYaml));
  }

  private static ManifestValidator forCrd(CrdSchema crd) {
    return new ManifestValidator(crd, new SchemaChecker(crd), new CelRules(crd), ReferenceChecker.NONE);
  }

  /** The same validator, also running {@code checker} on manifests that pass the schema and rules. */
  public ManifestValidator withReferenceChecker(ReferenceChecker checker) {
    return new ManifestValidator(crd, schema, rules, Objects.requireNonNull(checker, "checker"));
  }

  /** Problems of a manifest given as YAML or JSON text; empty when it is valid. */
  public List<Problem> validate(String yaml) {
    return run(yaml, null).problems;
  }

  /** Problems of a manifest file; an unreadable file is a problem too. */
  public List<Problem> validate(Path file) {
    return run(file, null).problems;
  }

  /** Problems of a resource object, e.g. one read from the API server or built in code. */
  public List<Problem> validate(FederatedFineTune resource) {
    return run(toTree(resource), null).problems;
  }

  /**
   * Problems of running a valid manifest's job on a model of shape {@code model}, found outside the
   * manifest (config.json, a probe pod; {@link io.fedtt.api.mapping.ModelShapes}): the task's family, the
   * projection names and the adapter's layout ({@link LayoutChecks}), which {@link #validate} can only
   * check when spec.model.architecture or a built-in model gives the shape. Empty when there are none.
   */
  public static List<Problem> modelProblems(FederatedFineTune resource, io.fedtt.core.adapter.ModelConfig model) {
    FederatedFineTuneSpec spec = resource.getSpec();
    List<Problem> problems = new ArrayList<>();
    io.fedtt.api.mapping.FederationJobMapper.familyProblem(spec, model)
        .ifPresent(p -> problems.add(new Problem("spec.model.task", p)));
    if (problems.isEmpty()) {
      problems.addAll(LayoutChecks.check(spec, model));
    }
    return sortedUnique(problems);
  }

  /**
   * Problems of an update from {@code oldYaml} to {@code newYaml}: everything {@link #validate}
   * checks on the new manifest, plus the transition rules (immutable model, adapter, method).
   */
  public List<Problem> validateUpdate(String oldYaml, String newYaml) {
    Outcome old = run(oldYaml, null, false);
    if (!old.problems.isEmpty() && old.defaulted == null) {
      return prefixed("previous manifest: ", old.problems);
    }
    return run(newYaml, old.defaulted).problems;
  }

  /** As {@link #validateUpdate(String, String)} for resource objects. */
  public List<Problem> validateUpdate(FederatedFineTune old, FederatedFineTune updated) {
    Outcome previous = run(toTree(old), null, false);
    if (previous.defaulted == null) {
      return prefixed("previous manifest: ", previous.problems);
    }
    return run(toTree(updated), previous.defaulted).problems;
  }

  /**
   * The manifest as a typed resource with all schema defaults filled in, as the API server would
   * store it.
   *
   * @throws InvalidManifestException listing every problem, when there is any
   */
  public FederatedFineTune load(String yaml) {
    return run(yaml, null).resourceOrThrow();
  }

  /** As {@link #load(String)} for a file. */
  public FederatedFineTune load(Path file) {
    return run(file, null).resourceOrThrow();
  }

  /**
   * A validated copy of {@code resource} with schema defaults filled in: what the operator reads
   * from a server that did not apply defaults (such as a mock), and what tests build in code.
   */
  public FederatedFineTune load(FederatedFineTune resource) {
    return run(toTree(resource), null).resourceOrThrow();
  }

  // ---------------------------------------------------------------------------------------------

  private static final class Outcome {
    final List<Problem> problems;
    final JsonNode defaulted;
    final FederatedFineTune resource;

    Outcome(List<Problem> problems, JsonNode defaulted, FederatedFineTune resource) {
      this.problems = problems;
      this.defaulted = defaulted;
      this.resource = resource;
    }

    FederatedFineTune resourceOrThrow() {
      if (!problems.isEmpty()) {
        throw new InvalidManifestException(problems);
      }
      return resource;
    }
  }

  private Outcome run(Path file, JsonNode old) {
    String text;
    try {
      text = readBounded(file);
    } catch (IOException | RuntimeException e) {
      return new Outcome(List.of(new Problem("", "cannot read " + file + ": " + describe(e))), null, null);
    }
    if (text == null) {
      return new Outcome(List.of(new Problem("", file + " is larger than " + MAX_MANIFEST_BYTES
          + " bytes (1 MiB), the largest manifest read")), null, null);
    }
    return run(text, old);
  }

  private Outcome run(String yaml, JsonNode old) {
    return run(yaml, old, true);
  }

  /**
   * A manifest file's text, or null when it holds more than {@link #MAX_MANIFEST_BYTES}: never more than
   * that is read, whatever the file (a regular file, a pipe, /dev/zero).
   */
  public static String readBounded(Path file) throws IOException {
    if (Files.isRegularFile(file) && Files.size(file) > MAX_MANIFEST_BYTES) {
      return null;
    }
    try (java.io.InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_MANIFEST_BYTES + 1);
      if (bytes.length > MAX_MANIFEST_BYTES) {
        return null;
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private Outcome run(String yaml, JsonNode old, boolean checkReferences) {
    if (yaml == null) {
      return new Outcome(List.of(new Problem("", "no manifest given")), null, null);
    }
    if (yaml.length() > MAX_MANIFEST_BYTES) {
      return new Outcome(List.of(new Problem("", "the manifest has " + yaml.length() + " characters; at most "
          + MAX_MANIFEST_BYTES + " (1 MiB) are read")), null, null);
    }
    YamlDocuments.Parsed parsed = YamlDocuments.parse(yaml);
    if (parsed.problem() != null) {
      return new Outcome(List.of(parsed.problem()), null, null);
    }
    return run(parsed.document(), old, checkReferences);
  }

  private Outcome run(JsonNode document, JsonNode old) {
    return run(document, old, true);
  }

  private Outcome run(JsonNode document, JsonNode old, boolean checkReferences) {
    List<Problem> header = header(document);
    if (!header.isEmpty() && (!document.path("apiVersion").asText().equals(FederatedFineTune.API_VERSION)
        || !document.path("kind").asText().equals(FederatedFineTune.KIND))) {
      return new Outcome(header, null, null); // another kind of object: its fields would only add noise
    }
    JsonNode defaulted = document.deepCopy();
    SchemaDefaults.apply(defaulted, crd.root());
    List<Problem> problems = new ArrayList<>(header);
    List<Problem> schemaProblems = schema.check(defaulted);
    problems.addAll(schemaProblems);
    problems.addAll(rules.evaluate(defaulted, old, schemaProblems));
    FederatedFineTune resource = null;
    if (problems.isEmpty()) {
      try {
        resource = SERIALIZATION.convertValue(defaulted, FederatedFineTune.class);
      } catch (RuntimeException e) {
        problems.add(conversionProblem(e));
      }
    }
    if (resource != null) {
      problems.addAll(LayoutChecks.check(resource.getSpec()));
      problems.addAll(PrivacyChecks.check(resource.getSpec()));
    }
    if (resource != null && checkReferences) {
      try {
        problems.addAll(references.check(resource));
      } catch (RuntimeException e) {
        problems.add(new Problem("", "reference check failed: " + describe(e)));
      }
    }
    return new Outcome(sortedUnique(problems), defaulted, problems.isEmpty() ? resource : null);
  }

  /** apiVersion, kind and metadata.name: checked by the API server for every object, not by the CRD schema. */
  private static List<Problem> header(JsonNode document) {
    List<Problem> problems = new ArrayList<>();
    String apiVersion = document.path("apiVersion").asText("");
    if (!FederatedFineTune.API_VERSION.equals(apiVersion)) {
      problems.add(new Problem("apiVersion", apiVersion.isEmpty()
          ? "required field is missing; use " + FederatedFineTune.API_VERSION
          : "must be " + FederatedFineTune.API_VERSION + " (found " + SchemaChecker.describeValue(document.path("apiVersion")) + ")"));
    }
    String kind = document.path("kind").asText("");
    if (!FederatedFineTune.KIND.equals(kind)) {
      problems.add(new Problem("kind", kind.isEmpty()
          ? "required field is missing; use " + FederatedFineTune.KIND
          : "must be " + FederatedFineTune.KIND + " (found " + SchemaChecker.describeValue(document.path("kind")) + ")"));
    }
    JsonNode name = document.path("metadata").path("name");
    if (name.isMissingNode() || name.isNull()) {
      problems.add(new Problem("metadata.name", "required field is missing"));
    } else if (!name.isTextual() || name.asText().length() > 253 || !DNS_SUBDOMAIN.matcher(name.asText()).matches()) {
      problems.add(new Problem("metadata.name", "must be a DNS-1123 subdomain: lowercase letters, digits, '-'"
          + " and '.', starting and ending with a letter or digit (found " + SchemaChecker.describeValue(name) + ")"));
    }
    JsonNode spec = document.path("spec");
    if (spec.isMissingNode() || spec.isNull()) {
      // The CRD's schema leaves spec optional, as Kubernetes does for every object; a job needs one.
      problems.add(new Problem("spec", "required field is missing"));
    }
    return problems;
  }

  private static JsonNode toTree(FederatedFineTune resource) {
    return SERIALIZATION.convertValue(Objects.requireNonNull(resource, "resource"), JsonNode.class);
  }

  private static List<Problem> sortedUnique(List<Problem> problems) {
    List<Problem> sorted = new ArrayList<>(new LinkedHashSet<>(problems));
    sorted.sort(null);
    return List.copyOf(sorted);
  }

  private static List<Problem> prefixed(String prefix, List<Problem> problems) {
    return problems.stream().map(p -> new Problem(p.path(), prefix + p.message())).toList();
  }

  /**
   * A value the schema allows but the Java model cannot hold: at the field Jackson names, in its first
   * line, never the whole value echoed back.
   */
  private static Problem conversionProblem(RuntimeException e) {
    String path = "";
    String message = describe(e);
    if (e instanceof IllegalArgumentException && e.getCause() instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
      for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
        path = r.getFieldName() != null ? JsonPaths.child(path, r.getFieldName())
            : r.getIndex() >= 0 ? JsonPaths.index(path, r.getIndex()) : path;
      }
      message = m.getOriginalMessage() == null ? message : m.getOriginalMessage();
    }
    message = message.lines().findFirst().orElse("");
    if (message.length() > 200) {
      message = message.substring(0, 197) + "...";
    }
    return new Problem(path, "cannot read the manifest as a FederatedFineTune: " + message);
  }

  private static String describe(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
