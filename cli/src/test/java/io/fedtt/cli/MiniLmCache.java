package io.fedtt.cli;

import io.fedtt.worker.model.source.BuiltinModelSource;
import java.io.IOException;
import java.nio.file.Path;

/** The built-in MiniLM converted once per build into target/test-model-cache (as the worker's tests do). */
final class MiniLmCache {

    static final Path DIR = Path.of("target", "test-model-cache");

    private MiniLmCache() {
    }

    static void ensure() throws IOException {
        new BuiltinModelSource().resolve("builtin:all-minilm-l6-v2", DIR);
    }
}
