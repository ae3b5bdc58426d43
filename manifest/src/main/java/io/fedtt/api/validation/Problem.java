package io.fedtt.api.validation;

import java.util.Comparator;
import java.util.Objects;

/**
 * One thing wrong with a manifest.
 *
 * @param path where, as a JSON path without the leading "$", e.g. {@code spec.rounds.minSilos} or
 *     {@code spec.silos[1].name}; empty for the document as a whole
 * @param message what is wrong, in plain words
 */
public record Problem(String path, String message) implements Comparable<Problem> {
  private static final Comparator<Problem> ORDER =
      Comparator.comparing(Problem::path).thenComparing(Problem::message);

  public Problem {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public int compareTo(Problem other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
