package io.fedtt.core.data;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Turns the data locations a manifest or a command line gives into local paths:
 * {@code file:data/a.jsonl} and plain {@code data/a.jsonl} (relative: resolved against a base
 * directory), {@code file:/abs/a.jsonl}, {@code file:///abs/a.jsonl} and {@code /abs/a.jsonl};
 * and {@code pvc:claim/path} against the folder where the claims are mounted.
 */
public final class DataUri {

    public static final String FILE = "file:";
    public static final String PVC = "pvc:";

    private DataUri() {}

    /** The local path of a {@code file:} URI or a plain path; fails for {@code pvc:} and other schemes. */
    public static Path resolve(String uri, Path baseDir) {
        return resolve(uri, baseDir, null);
    }

    /**
     * As {@link #resolve(String, Path)}, and {@code pvc:claim/path} becomes
     * {@code pvcRoot/claim/path} (the worker mounts each claim under {@code pvcRoot}).
     */
    public static Path resolve(String uri, Path baseDir, Path pvcRoot) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("no data location given");
        }
        String rest;
        Path base = baseDir;
        if (uri.startsWith(FILE)) {
            rest = uri.substring(FILE.length());
            if (rest.startsWith("//")) {
                rest = rest.substring(2);
                if (!rest.startsWith("/")) {
                    throw new IllegalArgumentException(uri + " names a file on another host; use file:/path or file:///path");
                }
            }
        } else if (uri.startsWith(PVC)) {
            if (pvcRoot == null) {
                throw new IllegalArgumentException(uri + " is on a PersistentVolumeClaim, which only a worker pod mounts;"
                        + " run locally with file:<path>");
            }
            rest = uri.substring(PVC.length());
            if (rest.startsWith("/") || !rest.contains("/")) {
                throw new IllegalArgumentException(uri + " must be pvc:<claim>/<path>");
            }
            base = pvcRoot;
        } else if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) { // a scheme (two letters or more, so not C:)
            throw new IllegalArgumentException("unsupported data location " + uri + "; use file:<path>, pvc:<claim>/<path> or a path");
        } else {
            rest = uri;
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(uri + " names no file");
        }
        Path path;
        try {
            path = Path.of(rest);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(uri + " is not a valid path: " + e.getMessage(), e);
        }
        if (path.isAbsolute()) {
            return path.normalize();
        }
        Path resolved = (base == null ? Path.of("") : base).resolve(path).normalize();
        if (uri.startsWith(PVC) && !resolved.startsWith(pvcRoot.resolve(rest.substring(0, rest.indexOf('/'))).normalize())) {
            throw new IllegalArgumentException(uri + " leaves the claim's folder");
        }
        return resolved;
    }
}
