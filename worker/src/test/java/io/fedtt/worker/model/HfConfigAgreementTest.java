package io.fedtt.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fedtt.core.model.HfConfig;
import io.fedtt.worker.model.bert.BertConfig;
import io.fedtt.worker.model.llama.LlamaConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The shape the operator and fedtt simulate read from a config.json (core's {@link HfConfig}) is the shape
 * the worker's decoders and encoders build from it (their own fuller readers), for every fixture family:
 * LLaMA, LLaMA 3 (sharded), Mistral, Qwen2 (attention biases by default) and BERT.
 */
class HfConfigAgreementTest {

    static final Path FIXTURES = Path.of("src/test/resources/llama");

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama", "tiny-llama3", "tiny-mistral", "tiny-qwen2"})
    void llamaFamilyFixtures(String fixture) throws IOException {
        Path config = FIXTURES.resolve(fixture).resolve("config.json");
        assertEquals(LlamaConfig.read(config).modelConfig(), HfConfig.describe(config), fixture);
    }

    @Test
    void bertFamily(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("config.json");
        BertConfig.allMiniLmL6V2().write(config);
        assertEquals(BertConfig.read(config).modelConfig(0), HfConfig.describe(config));
        BertConfig roberta = new BertConfig("roberta", 50265, 64, 2, 4, 128, "gelu", 0.1f, 0.1f, 514, 1, 1e-5f, 1);
        roberta.write(config);
        assertEquals(roberta.modelConfig(0), HfConfig.describe(config));
    }
}
