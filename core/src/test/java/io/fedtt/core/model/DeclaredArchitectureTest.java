package io.fedtt.core.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.job.JobDefaults;
import org.junit.jupiter.api.Test;

class DeclaredArchitectureTest {

    /**
     * hidden 32, 2 layers, FFN 64, 2 heads, MiniLM's vocabulary; positions and token types as the job
     * description resolves a declaration that leaves them out.
     */
    private static ModelConfig declared() {
        return ModelConfig.bert(32, 2, 64, 2, 30522, JobDefaults.MAX_POSITIONS,
                JobDefaults.TYPE_VOCAB_SIZE, 2);
    }

    private static ModelConfig config(int hidden, int layers, int ffn, int heads, int maxPositions) {
        return ModelConfig.bert(hidden, layers, ffn, heads, 30522, maxPositions, 2, 0);
    }

    @Test
    void aModelOfTheDeclaredShapePasses() {
        assertDoesNotThrow(() -> DeclaredArchitecture.verify(declared(), config(32, 2, 64, 2, 512)));
    }

    @Test
    void eachDifferingFieldIsNamedWithExpectedAndFound() {
        ArchitectureMismatchException e = assertThrows(ArchitectureMismatchException.class,
                () -> DeclaredArchitecture.verify(declared(), config(384, 2, 64, 12, 128)));
        assertEquals(3, e.differences().size());
        assertEquals("config.json does not match spec.model.architecture: hiddenSize expected 32, found 384 (hidden_size);"
                + " numHeads expected 2, found 12 (num_attention_heads);"
                + " maxPositions expected 512, found 128 (max_position_embeddings)"
                + " (fix the manifest's architecture or use the model it describes)", e.getMessage());
    }

    /** A built-in model's description carries its preset architecture, which the converted model has. */
    @Test
    void theBuiltInModelMatchesItsPreset() {
        assertDoesNotThrow(() -> DeclaredArchitecture.verify(ModelConfig.allMiniLmL6V2(2), ModelConfig.allMiniLmL6V2(0)));
        assertThrows(ArchitectureMismatchException.class,
                () -> DeclaredArchitecture.verify(ModelConfig.allMiniLmL6V2(2), config(32, 2, 64, 2, 512)));
    }

    @Test
    void aLlamaDeclarationWithABertModelNamesTheFamily() {
        ModelConfig llama = ModelConfig.llama(32, 2, 64, 2, 2, 30522, 512, false, false);
        ArchitectureMismatchException e = assertThrows(ArchitectureMismatchException.class,
                () -> DeclaredArchitecture.verify(llama, config(32, 2, 64, 2, 512)));
        assertEquals("config.json does not match spec.model.architecture: family expected LLAMA, found BERT"
                + " (model_type); typeVocabSize expected 0, found 2 (type_vocab_size)"
                + " (fix the manifest's architecture or use the model it describes)", e.getMessage());
    }
}
