package io.fedtt.api.validation;

import io.fedtt.core.data.DataUri;
import java.nio.file.Path;
import java.util.Optional;

/** The manifest's {@code file:} URIs as local paths; shared by the validator and {@code fedtt simulate}. */
public final class FileUris {
  public static final String SCHEME = DataUri.FILE;

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
    try {
      return Optional.of(DataUri.resolve(uri, baseDir)); // the workers' rule, so both see the same file
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
