package io.fedtt.api.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fedtt.api.v1alpha1.DataFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads the first records of a JSONL, CSV or TSV file (optionally gzipped) as field maps, just
 * enough to check field names and labels. Not the training data loader: no tokenization, no
 * type handling beyond text, and a hard cap on what it reads.
 */
final class DataPeek {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A record and the line it starts on (1-based). Values are text; absent fields are absent. */
  record Row(int line, Map<String, String> fields) {}

  /** What was read: the rows, or the problem (with its line) that stopped the reading. */
  record Sample(List<Row> rows, List<String> header, String error) {}

  private DataPeek() {}

  /** The format {@code auto} stands for, from the file name; empty when the extension says nothing. */
  static Optional<DataFormat> formatOf(Path file, DataFormat declared) {
    if (declared != null && declared != DataFormat.AUTO) {
      return Optional.of(declared);
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".gz")) {
      name = name.substring(0, name.length() - 3);
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return Optional.of(DataFormat.JSONL);
    }
    if (name.endsWith(".csv")) {
      return Optional.of(DataFormat.CSV);
    }
    if (name.endsWith(".tsv")) {
      return Optional.of(DataFormat.TSV);
    }
    return Optional.empty();
  }

  static Sample read(Path file, DataFormat format, int maxRecords) throws IOException {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz")
            ? new GZIPInputStream(raw) : raw;
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return switch (format) {
        case JSONL -> jsonl(reader, maxRecords);
        case CSV -> delimited(reader, ',', true, maxRecords);
        case TSV -> delimited(reader, '\t', false, maxRecords);
        case AUTO -> throw new IllegalArgumentException("resolve auto first");
      };
    }
  }

  private static Sample jsonl(BufferedReader reader, int maxRecords) throws IOException {
    List<Row> rows = new ArrayList<>();
    String line;
    int number = 0;
    while (rows.size() < maxRecords && (line = reader.readLine()) != null) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        return new Sample(rows, null, "line " + number + " is not valid JSON: " + e.getOriginalMessage());
      }
      if (!node.isObject()) {
        return new Sample(rows, null, "line " + number + " is not a JSON object");
      }
      Map<String, String> fields = new LinkedHashMap<>();
      node.properties().forEach(f -> {
        if (!f.getValue().isNull()) {
          fields.put(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString());
        }
      });
      rows.add(new Row(number, fields));
    }
    return new Sample(rows, null, null);
  }

  /** CSV per RFC 4180 (quotes, doubled quotes, newlines inside quotes); TSV split on tabs only. */
  private static Sample delimited(BufferedReader reader, char separator, boolean quoting, int maxRecords) throws IOException {
    List<String> header = null;
    List<Row> rows = new ArrayList<>();
    int[] line = {1};
    while (rows.size() < maxRecords) {
      int start = line[0];
      List<String> record = nextRecord(reader, separator, quoting, line);
      if (record == null) {
        break;
      }
      if (record.size() == 1 && record.get(0).isEmpty()) {
        continue; // blank line
      }
      if (header == null) {
        header = record;
        continue;
      }
      if (record.size() != header.size()) {
        return new Sample(rows, header, "line " + start + " has " + record.size() + " columns, the header has " + header.size());
      }
      Map<String, String> fields = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        fields.put(header.get(i), record.get(i));
      }
      rows.add(new Row(start, fields));
    }
    return new Sample(rows, header == null ? List.of() : header, null);
  }

  private static List<String> nextRecord(BufferedReader reader, char separator, boolean quoting, int[] line) throws IOException {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean inQuotes = false;
    boolean any = false;
    int c;
    while ((c = reader.read()) != -1) {
      any = true;
      char ch = (char) c;
      if (inQuotes) {
        if (ch == '"') {
          reader.mark(1);
          int next = reader.read();
          if (next == '"') {
            field.append('"');
          } else {
            inQuotes = false;
            if (next != -1) {
              reader.reset();
            }
          }
        } else {
          if (ch == '\n') {
            line[0]++;
          }
          field.append(ch);
        }
      } else if (quoting && ch == '"' && field.length() == 0) {
        inQuotes = true;
      } else if (ch == separator) {
        fields.add(field.toString());
        field.setLength(0);
      } else if (ch == '\n') {
        line[0]++;
        fields.add(stripCr(field));
        return fields;
      } else {
        field.append(ch);
      }
    }
    if (!any) {
      return null;
    }
    fields.add(stripCr(field));
    return fields;
  }

  private static String stripCr(StringBuilder field) {
    int n = field.length();
    return n > 0 && field.charAt(n - 1) == '\r' ? field.substring(0, n - 1) : field.toString();
  }
}
