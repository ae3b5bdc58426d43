package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.AdapterStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a finished job's final adapter (safetensors, as served on the wire) to {@code spec.output}
 * ({@code file:<dir>}) or, without one, to the operator's store. A {@code pvc:} output is not
 * mounted in the operator, so the adapter then goes to the store too and the location says so.
 * Written to a temporary file and moved into place: a reader never sees half a file.
 */
public final class AdapterOutput {

  public static final String FILE = "adapter.safetensors";

  private AdapterOutput() {}

  /** The directory the adapter goes to. */
  public static Path directory(FederatedFineTune job, Path defaultDir) {
    String uri = job.getSpec().getOutput() == null ? null : job.getSpec().getOutput().getUri();
    if (uri != null && uri.startsWith("file:")) {
      return Path.of(uri.substring("file:".length())).toAbsolutePath().normalize();
    }
    return defaultDir.toAbsolutePath().normalize();
  }

  public static AdapterStatus write(FederatedFineTune job, byte[] adapter, String sha256Hex, Path defaultDir)
      throws IOException {
    Path dir = directory(job, defaultDir);
    Files.createDirectories(dir);
    Path target = dir.resolve(FILE);
    Path tmp = Files.createTempFile(dir, ".adapter-", ".tmp");
    try {
      Files.write(tmp, adapter);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    AdapterStatus st = new AdapterStatus();
    st.setDigest("sha256:" + sha256Hex);
    st.setLocation("file:" + target);
    return st;
  }
}
