package io.fedtt.api;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Locates the test resources directory (manifests/ and data/) on disk. */
public final class TestFiles {
  private TestFiles() {}

  public static Path root() {
    URL url = TestFiles.class.getClassLoader().getResource("manifests");
    if (url == null) {
      throw new IllegalStateException("test resource folder manifests/ not found");
    }
    try {
      return Path.of(url.toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Path manifest(String relative) {
    return root().resolve("manifests").resolve(relative);
  }
}
