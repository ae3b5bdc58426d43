package io.fedtt.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fedtt.core.adapter.ModelConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigTest {

    static ModelConfig describe(String json) throws IOException {
        return HfConfig.describe(HfConfig.parse(json.getBytes(StandardCharsets.UTF_8), "config.json"), "config.json");
    }

    @Test
    void aBertConfigWithHuggingFacesDefaults() throws IOException {
        assertEquals(ModelConfig.allMiniLmL6V2(0), describe("{\"model_type\":\"bert\",\"hidden_size\":384,"
                + "\"num_hidden_layers\":6,\"intermediate_size\":1536,\"num_attention_heads\":12}"));
        assertEquals(ModelConfig.robertaBase(0), describe("{\"model_type\":\"roberta\",\"vocab_size\":50265,"
                + "\"max_position_embeddings\":514,\"type_vocab_size\":1}"));
    }

    @Test
    void aLlamaConfigWithGroupedQueryAttentionAndTiedEmbeddings() throws IOException {
        assertEquals(ModelConfig.smolLm2_135m(), describe("{\"architectures\":[\"LlamaForCausalLM\"],\"model_type\":\"llama\","
                + "\"hidden_size\":576,\"num_hidden_layers\":30,\"intermediate_size\":1536,\"num_attention_heads\":9,"
                + "\"num_key_value_heads\":3,\"vocab_size\":49152,\"max_position_embeddings\":8192,"
                + "\"tie_word_embeddings\":true,\"head_dim\":64}"));
        // num_key_value_heads defaults to the heads; Qwen2 has q/k/v biases unless it says otherwise
        ModelConfig qwen = describe("{\"model_type\":\"qwen2\",\"hidden_size\":64,\"num_hidden_layers\":2,"
                + "\"intermediate_size\":128,\"num_attention_heads\":4,\"vocab_size\":100,\"max_position_embeddings\":128}");
        assertEquals(ModelConfig.llama(64, 2, 128, 4, 4, 100, 128, false, true), qwen);
    }

    @Test
    void theFamilyComesFromArchitecturesWhenModelTypeIsAbsent() throws IOException {
        assertEquals(ModelConfig.Family.LLAMA, describe("{\"architectures\":[\"MistralForCausalLM\"],\"hidden_size\":64,"
                + "\"num_attention_heads\":4}").family());
    }

    @Test
    void anUnsupportedFamilyOrABadFieldIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> describe("{\"model_type\":\"gpt2\",\"architectures\":[\"GPT2LMHeadModel\"]}"));
        assertEquals("config.json: model_type 'gpt2' (architectures [GPT2LMHeadModel]) is not a supported model family;"
                + " supported model_type values: [bert, camembert, llama, mistral, qwen2, roberta, xlm-roberta]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> describe("{\"model_type\":\"llama\",\"hidden_size\":\"big\"}"));
        assertEquals("config.json: hidden_size must be an integer, got \"big\"", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> describe("{\"model_type\":\"llama\",\"num_attention_heads\":32,\"num_key_value_heads\":5}"));
        assertEquals("config.json: num_attention_heads 32 is not a multiple of num_key_value_heads 5", e.getMessage());
        IOException io = assertThrows(IOException.class, () -> describe("[1, 2]"));
        assertEquals("config.json: expected a JSON object", io.getMessage());
    }

    @Test
    void aFileIsReadBoundedAndNamedInErrors(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\"model_type\":\"bert\",");
        IOException e = assertThrows(IOException.class, () -> HfConfig.describe(f));
        assertTrue(e.getMessage().startsWith(f + ": not valid JSON"), e.getMessage());
        Files.write(f, new byte[HfConfig.MAX_BYTES + 10]);
        e = assertThrows(IOException.class, () -> HfConfig.describe(f));
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
    }
}
