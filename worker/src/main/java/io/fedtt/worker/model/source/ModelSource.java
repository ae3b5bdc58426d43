package io.fedtt.worker.model.source;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns a model URI into a local directory in Hugging Face layout (config.json,
 * model.safetensors, tokenizer.json). Sources that fetch or convert write under {@code cacheDir},
 * atomically: a directory appears complete or not at all.
 */
public interface ModelSource {

    /** Whether this source handles the URI's scheme. */
    boolean supports(String uri);

    Path resolve(String uri, Path cacheDir) throws IOException;
}
