package io.fedtt.worker.train;

import io.fedtt.worker.engine.EngineSettings;
import io.fedtt.worker.model.PretrainedModel;
import io.fedtt.worker.model.source.BuiltinModelSource;
import java.io.IOException;
import java.nio.file.Path;

/** The built-in MiniLM for tests: converted once per build into target/test-model-cache. */
final class MiniLm {

    static final Path CACHE = Path.of("target", "test-model-cache");

    private MiniLm() {
    }

    static Path dir() throws IOException {
        EngineSettings.fromEnvironment(System.getenv()).start();
        return new BuiltinModelSource().resolve("builtin:all-minilm-l6-v2", CACHE);
    }

    static PretrainedModel load(int maxSequenceLength) throws IOException {
        return PretrainedModel.load(dir(), maxSequenceLength);
    }
}
