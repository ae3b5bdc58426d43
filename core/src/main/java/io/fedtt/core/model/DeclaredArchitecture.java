package io.fedtt.core.model;

import io.fedtt.core.adapter.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a model's config.json against the job's declared architecture ({@code spec.model.architecture},
 * or a built-in model's preset). The operator lays out the initial adapter from the architecture it
 * knows; a model of another shape would train and upload tensors of other shapes, which the server
 * rejects with a shape error that does not say why. The operator and {@code fedtt simulate} check
 * before anything starts (against the config.json they read, {@link HfConfig}); each worker checks
 * again before it reads any weights. Failing here names the field instead.
 */
public final class DeclaredArchitecture {

    private DeclaredArchitecture() {
    }

    /**
     * Every field in which {@code found} differs from {@code expected} (labels are not compared), as
     * "field expected X, found Y (config.json key)"; empty when they agree.
     */
    public static List<String> differences(ModelConfig expected, ModelConfig found) {
        List<String> diffs = new ArrayList<>();
        if (expected.family() != found.family()) {
            diffs.add("family expected " + expected.family() + ", found " + found.family() + " (model_type)");
        }
        compare(diffs, "hiddenSize", expected.hiddenSize(), found.hiddenSize(), "hidden_size");
        compare(diffs, "numLayers", expected.numLayers(), found.numLayers(), "num_hidden_layers");
        compare(diffs, "intermediateSize", expected.intermediateSize(), found.intermediateSize(), "intermediate_size");
        compare(diffs, "numHeads", expected.numHeads(), found.numHeads(), "num_attention_heads");
        compare(diffs, "vocabSize", expected.vocabSize(), found.vocabSize(), "vocab_size");
        compare(diffs, "maxPositions", expected.maxPositions(), found.maxPositions(), "max_position_embeddings");
        compare(diffs, "typeVocabSize", expected.typeVocabSize(), found.typeVocabSize(), "type_vocab_size");
        if (found.family() == ModelConfig.Family.LLAMA) { // BERT's key/value heads are its heads; it has no tied head
            compare(diffs, "numKeyValueHeads", expected.numKeyValueHeads(), found.numKeyValueHeads(), "num_key_value_heads");
            compare(diffs, "tieWordEmbeddings", expected.tieWordEmbeddings(), found.tieWordEmbeddings(), "tie_word_embeddings");
            compare(diffs, "attentionBias", expected.attentionBias(), found.attentionBias(), "attention_bias");
        }
        return diffs;
    }

    /**
     * @param expected the job's architecture (labels are not compared)
     * @param found the model's own, from its config.json ({@link HfConfig#describe})
     * @throws ArchitectureMismatchException naming every field that differs, expected vs found
     */
    public static void verify(ModelConfig expected, ModelConfig found) {
        List<String> diffs = differences(expected, found);
        if (!diffs.isEmpty()) {
            throw new ArchitectureMismatchException("config.json does not match spec.model.architecture: "
                    + String.join("; ", diffs) + " (fix the manifest's architecture or use the model it describes)", diffs);
        }
    }

    private static void compare(List<String> diffs, String field, Object expected, Object found, String configKey) {
        if (!expected.equals(found)) {
            diffs.add(String.format(Locale.ROOT, "%s expected %s, found %s (%s)", field, expected, found, configKey));
        }
    }
}
