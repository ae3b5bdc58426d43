package io.fedtt.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.api.TestFiles;
import io.fedtt.api.v1alpha1.DataFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPeekTest {
  @TempDir
  Path dir;

  @Test
  void formatFromExtension() {
    assertEquals(Optional.of(DataFormat.JSONL), DataPeek.formatOf(Path.of("a.jsonl"), DataFormat.AUTO));
    assertEquals(Optional.of(DataFormat.JSONL), DataPeek.formatOf(Path.of("a.NDJSON.gz"), null));
    assertEquals(Optional.of(DataFormat.CSV), DataPeek.formatOf(Path.of("a.csv.gz"), DataFormat.AUTO));
    assertEquals(Optional.of(DataFormat.TSV), DataPeek.formatOf(Path.of("a.tsv"), DataFormat.AUTO));
    assertEquals(Optional.empty(), DataPeek.formatOf(Path.of("a.txt"), DataFormat.AUTO));
    assertEquals(Optional.of(DataFormat.CSV), DataPeek.formatOf(Path.of("a.txt"), DataFormat.CSV));
  }

  @Test
  void csvWithQuotesCommasAndNewlines() throws IOException {
    DataPeek.Sample sample = DataPeek.read(TestFiles.root().resolve("data/site-d.csv"), DataFormat.CSV, 100);
    assertNull(sample.error());
    assertEquals(List.of("text", "label"), sample.header());
    assertEquals(List.of(
        new DataPeek.Row(2, Map.of("text", "hello, world", "label", "ham")),
        new DataPeek.Row(3, Map.of("text", "multi\nline \"quoted\" text", "label", "spam")),
        new DataPeek.Row(5, Map.of("text", "plain", "label", "ham"))), sample.rows());
  }

  @Test
  void crlfTsvAndRaggedRows() throws IOException {
    Path tsv = Files.writeString(dir.resolve("a.tsv"), "text\tlabel\r\nhi there\tpos\r\n\r\nbye\tneg\r\n");
    DataPeek.Sample sample = DataPeek.read(tsv, DataFormat.TSV, 100);
    assertEquals(List.of(Map.of("text", "hi there", "label", "pos"), Map.of("text", "bye", "label", "neg")),
        sample.rows().stream().map(DataPeek.Row::fields).toList());
    Path ragged = Files.writeString(dir.resolve("b.csv"), "text,label\na,b,c\n");
    assertEquals("line 2 has 3 columns, the header has 2", DataPeek.read(ragged, DataFormat.CSV, 100).error());
  }

  @Test
  void gzippedJsonlAndTheRecordCap() throws IOException {
    Path gz = dir.resolve("big.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      for (int i = 0; i < 10_000; i++) {
        out.write(("{\"text\": \"t" + i + "\", \"label\": " + (i % 2) + ", \"meta\": {\"k\": 1}}\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    DataPeek.Sample sample = DataPeek.read(gz, DataFormat.JSONL, 50);
    assertEquals(50, sample.rows().size());
    assertEquals(Map.of("text", "t49", "label", "1", "meta", "{\"k\":1}"), sample.rows().get(49).fields());
  }

  @Test
  void jsonlThatIsNotObjects() throws IOException {
    Path file = Files.writeString(dir.resolve("a.jsonl"), "{\"text\": \"a\"}\n[1, 2]\n");
    assertEquals("line 2 is not a JSON object", DataPeek.read(file, DataFormat.JSONL, 10).error());
  }

  @Test
  void labelsByNameOrIndex() {
    assertTrue(FileReferenceChecker.isKnownLabel("spam", List.of("ham", "spam")));
    assertTrue(FileReferenceChecker.isKnownLabel("1", List.of("ham", "spam")));
    assertTrue(!FileReferenceChecker.isKnownLabel("2", List.of("ham", "spam")));
    assertTrue(!FileReferenceChecker.isKnownLabel("-1", List.of("ham", "spam")));
    assertTrue(!FileReferenceChecker.isKnownLabel("Spam", List.of("ham", "spam")));
  }
}
