package io.fedtt.cluster;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository, from the module directory Maven runs the tests in. */
public final class Repo {

  public static final Path ROOT = findRoot();
  public static final Path CHART = ROOT.resolve("helm/fedtt-operator");

  private Repo() {}

  private static Path findRoot() {
    String prop = System.getProperty("fedtt.repo.root");
    if (prop != null && Files.isRegularFile(Path.of(prop, "hack/control-plane.sh"))) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("hack/control-plane.sh"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no hack/control-plane.sh above " + Path.of("").toAbsolutePath());
    }
    return p;
  }
}
