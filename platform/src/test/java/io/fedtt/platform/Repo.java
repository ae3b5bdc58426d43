package io.fedtt.platform;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository, from the module directory Maven runs the tests in. */
public final class Repo {

  public static final Path ROOT = findRoot();
  public static final Path CHART = ROOT.resolve("helm/fedtt-operator");
  public static final Path CRD = ROOT.resolve("crds/federatedfinetunes.fedtt.io-v1.yml");

  private Repo() {}

  private static Path findRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("helm/fedtt-operator"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no helm/fedtt-operator above " + Path.of("").toAbsolutePath());
    }
    return p;
  }
}
