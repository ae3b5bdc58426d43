package io.fedtt.worker.model.source;

import io.fedtt.worker.model.HfModelDirectory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code file:/path/to/model}, {@code file:///path/to/model} or a plain path: a directory already
 * in Hugging Face layout (for example a mounted volume). Nothing is copied into the cache.
 */
public final class LocalModelSource implements ModelSource {

    public static final String SCHEME = "file:";

    @Override
    public boolean supports(String uri) {
        return uri.startsWith(SCHEME) || !uri.matches("^[A-Za-z][A-Za-z0-9+.-]+:.*");
    }

    @Override
    public Path resolve(String uri, Path cacheDir) throws IOException {
        String path = uri.startsWith(SCHEME) ? uri.substring(SCHEME.length()) : uri;
        if (path.startsWith("//")) {
            path = path.substring(2); // file:///abs -> /abs ; file://localhost/ is not supported
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("'" + uri + "': file URIs with a host are not supported");
            }
        }
        if (path.isEmpty()) {
            throw new IllegalArgumentException("'" + uri + "': empty path");
        }
        return HfModelDirectory.open(Path.of(path)).dir();
    }
}
