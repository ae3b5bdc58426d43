package io.fedtt.platform.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fedtt.platform.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chart README's value table lists every key of values.yaml, no stale ones, with the real defaults. */
class ValuesDocumentedTest {

  private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z0-9_.]+)` \\| (.*?) \\|", Pattern.MULTILINE);
  private static JsonNode values;
  private static Map<String, String> documented;

  @BeforeAll
  static void read() throws IOException {
    values = new YAMLMapper().readTree(Repo.CHART.resolve("values.yaml").toFile());
    String readme = Files.readString(Repo.CHART.resolve("README.md"));
    String table = readme.substring(readme.indexOf("## Values"));
    documented = new LinkedHashMap<>();
    Matcher m = ROW.matcher(table);
    while (m.find()) {
      documented.put(m.group(1), m.group(2));
    }
    assertTrue(documented.size() > 40, "value rows found: " + documented.size());
  }

  @Test
  void everyValueIsDocumented() {
    List<String> leaves = new ArrayList<>();
    leaves("", values, leaves);
    List<String> missing = leaves.stream().filter(l -> documented.keySet().stream()
        .noneMatch(d -> l.equals(d) || l.startsWith(d + "."))).toList();
    assertEquals(List.of(), missing, "values.yaml keys without a row in helm/fedtt-operator/README.md");
  }

  @Test
  void everyDocumentedKeyExists() {
    List<String> stale = documented.keySet().stream().filter(k -> node(k).isMissingNode()).toList();
    assertEquals(List.of(), stale, "README rows for keys that values.yaml does not have");
  }

  @Test
  void documentedDefaultsAreTheRealOnes() {
    List<String> wrong = new ArrayList<>();
    documented.forEach((key, cell) -> {
      JsonNode n = node(key);
      String expected;
      if (n.isValueNode()) {
        expected = n.isTextual() && n.asText().isEmpty() ? "\"\"" : n.asText();
      } else if (n.isEmpty()) {
        expected = n.isArray() ? "[]" : "{}";
      } else {
        return; // non-empty maps and lists are described in words
      }
      if (!cell.startsWith("`" + expected + "`")) {
        wrong.add(key + ": README says " + cell + ", values.yaml has " + expected);
      }
    });
    assertEquals(List.of(), wrong);
  }

  private static JsonNode node(String dotted) {
    JsonNode n = values;
    for (String part : dotted.split("\\.")) {
      n = n.path(part);
    }
    return n;
  }

  private static void leaves(String prefix, JsonNode n, List<String> out) {
    if (n.isObject() && !n.isEmpty()) {
      n.fields().forEachRemaining(e -> leaves(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
    } else {
      out.add(prefix);
    }
  }
}
