package io.fedtt.operator.reconcile;

/**
 * One thing wrong with a job's spec.
 *
 * @param path the field, e.g. {@code spec.rounds.total} or {@code spec.silos[1].name}
 */
public record SpecProblem(String path, String message) {

  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
