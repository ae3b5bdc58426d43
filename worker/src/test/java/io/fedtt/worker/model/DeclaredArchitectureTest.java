package io.fedtt.worker.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fedtt.api.v1alpha1.FederatedFineTuneSpec;
import io.fedtt.api.v1alpha1.ModelArchitecture;
import io.fedtt.api.v1alpha1.ModelSpec;
import io.fedtt.worker.model.bert.BertConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeclaredArchitectureTest {

    /** hidden 32, 2 layers, FFN 64, 2 heads, MiniLM's vocabulary; positions and token types left to defaults. */
    private static FederatedFineTuneSpec spec(String uri, boolean declare) {
        ModelSpec model = new ModelSpec();
        model.setUri(uri);
        model.setLabels(List.of("ham", "spam"));
        if (declare) {
            ModelArchitecture a = new ModelArchitecture();
            a.setHiddenSize(32);
            a.setNumLayers(2);
            a.setIntermediateSize(64);
            a.setNumHeads(2);
            a.setVocabSize(30522);
            model.setArchitecture(a);
        }
        FederatedFineTuneSpec spec = new FederatedFineTuneSpec();
        spec.setModel(model);
        return spec;
    }

    private static BertConfig config(int hidden, int layers, int ffn, int heads, int maxPositions) {
        return new BertConfig("bert", 30522, hidden, layers, heads, ffn, "gelu", 0.1f, 0.1f, maxPositions, 2, 1e-12f, 0);
    }

    @Test
    void aModelOfTheDeclaredShapePasses() {
        assertDoesNotThrow(() -> DeclaredArchitecture.verify(spec("file:/m", true), config(32, 2, 64, 2, 512)));
    }

    @Test
    void eachDifferingFieldIsNamedWithExpectedAndFound() {
        ArchitectureMismatchException e = assertThrows(ArchitectureMismatchException.class,
                () -> DeclaredArchitecture.verify(spec("hf:org/tiny", true), config(384, 2, 64, 12, 128)));
        assertEquals("config.json does not match spec.model.architecture: hiddenSize expected 32, found 384 (hidden_size);"
                + " numHeads expected 2, found 12 (num_attention_heads);"
                + " maxPositions expected 512, found 128 (max_position_embeddings)"
                + " (fix the manifest's architecture or use the model it describes)", e.getMessage());
    }

    @Test
    void withoutADeclarationNothingIsChecked() {
        assertDoesNotThrow(() -> DeclaredArchitecture.verify(spec("builtin:all-minilm-l6-v2", false), config(32, 2, 64, 2, 512)));
        assertDoesNotThrow(() -> DeclaredArchitecture.verify(spec("builtin:all-minilm-l6-v2", false), BertConfig.allMiniLmL6V2()));
    }
}
