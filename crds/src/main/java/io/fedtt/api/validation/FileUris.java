package io.fedtt.api.validation;

import java.nio.file.Path;
import java.util.Optional;

/** The manifest's {@code file:} URIs as local paths; shared by the validator and {@code fedtt simulate}. */
public final class FileUris {
  public static final String SCHEME = "file:";

  private FileUris() {}

  public static boolean isFile(String uri) {
    return uri != null && uri.startsWith(SCHEME);
  }

  /**
   * The path named by a {@code file:} URI: {@code file:data/a.jsonl} (relative, resolved against
   * {@code baseDir}), {@code file:/abs/a.jsonl} or {@code file:///abs/a.jsonl}. Empty for other
   * schemes and for {@code file://host/...}, which names another machine.
   */
  public static Optional<Path> resolve(String uri, Path baseDir) {
    if (!isFile(uri)) {
      return Optional.empty();
    }
    String rest = uri.substring(SCHEME.length());
    if (rest.startsWith("//")) {
      rest = rest.substring(2);
      if (!rest.startsWith("/")) {
        return Optional.empty();
      }
    }
    if (rest.isEmpty()) {
      return Optional.empty();
    }
    Path path = Path.of(rest);
    return Optional.of(path.isAbsolute() ? path.normalize() : baseDir.resolve(path).normalize());
  }
}
