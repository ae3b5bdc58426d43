package io.fedtt.api.validation;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown by {@link ManifestValidator#load} when a manifest has problems; carries all of them. */
public class InvalidManifestException extends RuntimeException {
  private final transient List<Problem> problems;

  public InvalidManifestException(List<Problem> problems) {
    super(describe(problems));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String describe(List<Problem> problems) {
    return "invalid FederatedFineTune manifest (" + problems.size() + " problem"
        + (problems.size() == 1 ? "" : "s") + "):\n"
        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
