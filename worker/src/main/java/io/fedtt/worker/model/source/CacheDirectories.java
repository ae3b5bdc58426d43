package io.fedtt.worker.model.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Publishes a cache entry atomically: the content is written into a fresh temporary directory
 * beside the target and renamed into place only when complete. On failure the temporary directory
 * is deleted, so a crashed or failed download or conversion leaves nothing half-written. When two
 * processes race, the first rename wins and the loser's copy is discarded.
 */
final class CacheDirectories {

    /** Writes the content of a cache entry into the given (empty) directory. */
    interface Filler {
        void fill(Path dir) throws IOException;
    }

    private CacheDirectories() {
    }

    /** Returns {@code target}, creating it with {@code filler} if it does not exist yet. */
    static Path publish(Path target, Filler filler) throws IOException {
        if (Files.isDirectory(target)) {
            return target;
        }
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
        try {
            filler.fill(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!Files.isDirectory(target)) {
                    throw e;
                }
                // another process published first; ours is redundant
            }
        } finally {
            deleteRecursively(tmp);
        }
        return target;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** A cache-safe directory name: letters, digits, '.', '_' and '-' kept, everything else '_'. */
    static String safeName(String s) {
        String out = s.replaceAll("[^A-Za-z0-9._-]", "_");
        return out.startsWith(".") ? "_" + out.substring(1) : out;
    }
}
