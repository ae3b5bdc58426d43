package io.fedtt.worker.model;

import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.worker.model.bert.BertConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a model's config.json against the job's declared architecture ({@code spec.model.architecture},
 * or a built-in model's preset), before any weights are read. The operator lays out the
 * initial adapter from that declaration without seeing the model; a worker whose model differs would
 * train and upload tensors of other shapes, which the server rejects with a shape error that does not
 * say why. Failing here names the field instead.
 */
public final class DeclaredArchitecture {

    private DeclaredArchitecture() {
    }

    /**
     * @param expected the job description's architecture (labels are not compared)
     * @throws ArchitectureMismatchException naming every field that differs, expected vs found
     */
    public static void verify(ModelConfig expected, BertConfig found) {
        List<String> diffs = new ArrayList<>();
        // BertConfig already refuses a config.json of another family; a LLAMA declaration with a BERT model is named here.
        if (expected.family() != ModelConfig.Family.BERT) {
            diffs.add("family expected " + expected.family() + ", found BERT (model_type " + found.modelType() + ")");
        }
        compare(diffs, "hiddenSize", expected.hiddenSize(), found.hiddenSize(), "hidden_size");
        compare(diffs, "numLayers", expected.numLayers(), found.numHiddenLayers(), "num_hidden_layers");
        compare(diffs, "intermediateSize", expected.intermediateSize(), found.intermediateSize(), "intermediate_size");
        compare(diffs, "numHeads", expected.numHeads(), found.numAttentionHeads(), "num_attention_heads");
        compare(diffs, "vocabSize", expected.vocabSize(), found.vocabSize(), "vocab_size");
        compare(diffs, "maxPositions", expected.maxPositions(), found.maxPositionEmbeddings(), "max_position_embeddings");
        compare(diffs, "typeVocabSize", expected.typeVocabSize(), found.typeVocabSize(), "type_vocab_size");
        if (!diffs.isEmpty()) {
            throw new ArchitectureMismatchException("config.json does not match spec.model.architecture: "
                    + String.join("; ", diffs) + " (fix the manifest's architecture or use the model it describes)");
        }
    }

    private static void compare(List<String> diffs, String field, int expected, int found, String configKey) {
        if (expected != found) {
            diffs.add(String.format(Locale.ROOT, "%s expected %d, found %d (%s)", field, expected, found, configKey));
        }
    }
}
