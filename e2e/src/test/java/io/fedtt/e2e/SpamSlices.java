package io.fedtt.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Small, label-balanced slices of the bundled SpamAssassin silos ({@code examples/data/spam}): the
 * first records of each label in file order, written unchanged as JSONL. Train and eval slices of
 * one file never share a record.
 */
final class SpamSlices {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Where a silo's slices were written. */
  record Slice(Path train, Path eval) {}

  private SpamSlices() {}

  /** The repository's examples/data/spam folder (surefire passes the repository root). */
  static Path spamDir() {
    Path dir = Path.of(System.getProperty("fedtt.repo.root", "..")).resolve("examples/data/spam").normalize();
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("bundled data not found at " + dir.toAbsolutePath());
    }
    return dir;
  }

  /**
   * Writes {@code trainPerLabel} ham and spam records to {@code <name>-train.jsonl} and the next
   * {@code evalPerLabel} of each to {@code <name>-eval.jsonl}, ham and spam alternating.
   */
  static Slice write(Path source, Path outDir, String name, int trainPerLabel, int evalPerLabel) throws IOException {
    int need = trainPerLabel + evalPerLabel;
    List<String> ham = new ArrayList<>();
    List<String> spam = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(source)), StandardCharsets.UTF_8))) {
      String line;
      while ((ham.size() < need || spam.size() < need) && (line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        String label = JSON.readTree(line).path("label").asText();
        List<String> to = switch (label) {
          case "ham" -> ham;
          case "spam" -> spam;
          default -> throw new IOException(source + ": unexpected label '" + label + "'");
        };
        if (to.size() < need) {
          to.add(line);
        }
      }
    }
    if (ham.size() < need || spam.size() < need) {
      throw new IOException(source + " has " + ham.size() + " ham and " + spam.size() + " spam records; need "
          + need + " of each");
    }
    Slice slice = new Slice(outDir.resolve(name + "-train.jsonl"), outDir.resolve(name + "-eval.jsonl"));
    Files.write(slice.train(), alternate(ham.subList(0, trainPerLabel), spam.subList(0, trainPerLabel)));
    Files.write(slice.eval(), alternate(ham.subList(trainPerLabel, need), spam.subList(trainPerLabel, need)));
    return slice;
  }

  private static List<String> alternate(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a.size() + b.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(a.get(i));
      out.add(b.get(i));
    }
    return out;
  }
}
