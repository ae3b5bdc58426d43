package io.fedtt.api.validation;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import org.yaml.snakeyaml.LoaderOptions;
import java.util.ArrayList;
import java.util.List;

/** Reads one YAML (or JSON) document, turning syntax errors into a {@link Problem} with line and column. */
final class YamlDocuments {
  /** Bounds for the parser, whatever reaches it: the manifest limit in code points and string length. */
  private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
          .loaderOptions(loaderOptions())
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxStringLength(ManifestValidator.MAX_MANIFEST_BYTES)
              .maxNestingDepth(64)
              .maxNumberLength(100)
              .build())
          .build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  private static LoaderOptions loaderOptions() {
    LoaderOptions o = new LoaderOptions();
    o.setCodePointLimit(ManifestValidator.MAX_MANIFEST_BYTES);
    o.setNestingDepthLimit(64);
    o.setMaxAliasesForCollections(20);
    o.setAllowDuplicateKeys(false);
    return o;
  }

  /** Either a document or the problem that kept it from being read. */
  record Parsed(JsonNode document, Problem problem) {}

  private YamlDocuments() {}

  static Parsed parse(String text) {
    List<JsonNode> documents = new ArrayList<>();
    try (JsonParser parser = YAML.createParser(text)) {
      JsonNode document;
      while ((document = YAML.readTree(parser)) != null) { // one value per YAML document
        if (!document.isMissingNode() && !document.isNull()) {
          documents.add(document);
        }
      }
    } catch (JsonProcessingException e) {
      Problem number = nonFiniteNumber(e);
      return new Parsed(null, number != null ? number : new Problem("", syntaxMessage(e)));
    } catch (IOException | RuntimeException e) {
      return new Parsed(null, new Problem("", "cannot read YAML: " + e.getMessage()));
    }
    if (documents.isEmpty()) {
      return new Parsed(null, new Problem("", "the manifest is empty"));
    }
    if (documents.size() > 1) {
      return new Parsed(null, new Problem("", "expected one YAML document, found " + documents.size()
          + "; put each FederatedFineTune in its own file"));
    }
    JsonNode document = documents.get(0);
    if (!document.isObject()) {
      return new Parsed(null, new Problem("", "expected a YAML mapping with apiVersion, kind, metadata and spec, found "
          + SchemaChecker.describeValue(document)));
    }
    return new Parsed(document, null);
  }

  /**
   * YAML's {@code .nan}, {@code .inf} and {@code -.inf} are valid YAML floats that Jackson cannot hold:
   * it stops with "Malformed numeric value". No field of a manifest takes them, so this is an invalid
   * value at the field the parser was reading, not a syntax error.
   */
  private static Problem nonFiniteNumber(JsonProcessingException e) {
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (!original.startsWith("Malformed numeric value") || !(e.getProcessor() instanceof JsonParser parser)) {
      return null;
    }
    int open = original.indexOf('\'');
    int close = original.lastIndexOf('\'');
    String literal = open >= 0 && close > open ? original.substring(open + 1, close) : "";
    if (!literal.toLowerCase(java.util.Locale.ROOT).matches("[-+]?\\.(nan|inf|infinity)")) {
      return null;
    }
    return new Problem(path(parser.getParsingContext()),
        "must be a finite number, not " + literal + " (quote it if you meant the text)");
  }

  /** The JSON path of the value the parser stands on, e.g. {@code spec.adapter.modes[1]}. */
  private static String path(JsonStreamContext context) {
    List<JsonStreamContext> chain = new ArrayList<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      chain.add(0, c);
    }
    String path = "";
    for (JsonStreamContext c : chain) {
      if (c.inArray()) {
        path = JsonPaths.index(path, Math.max(0, c.getCurrentIndex()));
      } else if (c.getCurrentName() != null) {
        path = JsonPaths.child(path, c.getCurrentName());
      }
    }
    return path;
  }

  /**
   * "YAML syntax error at line 13: while parsing a flow node: expected the node content, but found ','".
   * SnakeYAML's message repeats the location and quotes the source under a caret; keep the words.
   */
  private static String syntaxMessage(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where = at == null || at.getLineNr() < 1 ? "" : " at line " + at.getLineNr();
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    String detail = original.lines()
        .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
        .map(String::strip)
        .collect(java.util.stream.Collectors.joining(": "));
    return "YAML syntax error" + where + ": " + (detail.isEmpty() ? "cannot parse" : detail);
  }
}
