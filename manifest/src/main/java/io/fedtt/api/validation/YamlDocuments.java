package io.fedtt.api.validation;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads one YAML (or JSON) document, turning syntax errors into a {@link Problem} with line and column. */
final class YamlDocuments {
  private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

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
      return new Parsed(null, new Problem("", syntaxMessage(e)));
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
