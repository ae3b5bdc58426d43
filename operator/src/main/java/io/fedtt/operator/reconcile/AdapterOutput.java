package io.fedtt.operator.reconcile;

import io.fedtt.api.v1alpha1.FederatedFineTune;
import io.fedtt.api.v1alpha1.status.AdapterStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a finished job's final adapter (safetensors, as served on the wire) to {@code spec.output}
 * ({@code file:<dir>} inside {@code <store>/outputs/<namespace>/}) or, without one, to the operator's store. A {@code pvc:} output is not
 * mounted in the operator, so the adapter then goes to the store too and the location says so.
 * Written to a temporary file and moved into place: a reader never sees half a file.
 */
public final class AdapterOutput {

  public static final String FILE = "adapter.safetensors";

  private AdapterOutput() {}

  /**
   * The directory the adapter goes to. The operator writes with its own rights, for whoever may
   * create a job: a {@code file:} output is honoured only inside the job's namespace's part of the
   * store ({@code <store>/outputs/<namespace>/}, the parent of {@code defaultDir}); any other path
   * (another namespace's outputs, the round state, /tmp) falls back to {@code defaultDir}, and the
   * status's location says where the adapter went.
   */
  public static Path directory(FederatedFineTune job, Path defaultDir) {
    Path fallback = defaultDir.toAbsolutePath().normalize();
    String uri = job.getSpec().getOutput() == null ? null : job.getSpec().getOutput().getUri();
    if (uri != null && uri.startsWith("file:")) {
      Path wanted;
      try {
        wanted = Path.of(uri.substring("file:".length())).toAbsolutePath().normalize();
      } catch (java.nio.file.InvalidPathException e) {
        return fallback;
      }
      Path namespaceArea = fallback.getParent();
      if (namespaceArea != null && wanted.startsWith(namespaceArea) && !wanted.equals(namespaceArea)) {
        return wanted;
      }
    }
    return fallback;
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
