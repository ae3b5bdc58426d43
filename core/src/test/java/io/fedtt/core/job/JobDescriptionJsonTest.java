package io.fedtt.core.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fedtt.core.adapter.AdapterConfig;
import io.fedtt.core.adapter.AdapterLayout;
import io.fedtt.core.adapter.ModelConfig;
import io.fedtt.core.data.DataFormat;
import io.fedtt.core.federation.JobId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobDescriptionJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static JobDescription silo() {
        return new JobDescription(JobId.parse("ns/job"),
                new JobDescription.Model("builtin:all-minilm-l6-v2", null, null, "sequence-classification",
                        List.of("ham", "spam"), 64, ModelConfig.allMiniLmL6V2(0)),
                AdapterConfig.tt(4, 32).withModes(Map.of("down", List.of(4, 8, 12, 32), "up", List.of(4, 8, 12, 32))),
                42, new JobDescription.Data("body", "y", DataFormat.JSONL),
                new JobDescription.Silo("a", "file:a.jsonl", null), new JobDescription.Training(0.1, 0.01, 10));
    }

    @Test
    void roundTripsASilo() {
        JobDescription d = silo();
        assertEquals(d, JobDescriptionJson.read(JobDescriptionJson.write(d)));
        assertEquals(2, d.model().architecture().numLabels(), "the labels set the head's width");
    }

    @Test
    void roundTripsDevices() {
        JobDescription d = silo().withParticipant(new JobDescription.Devices("file:all.jsonl", "file:eval.jsonl", 100, 3,
                new JobDescription.Partition(JobDescription.Partition.Rule.FIELD, 0.5, "user")));
        assertEquals(d, JobDescriptionJson.read(JobDescriptionJson.write(d)));
    }

    @Test
    void roundTripsALlamaFamilyModelWithTtDeltas() throws Exception {
        ModelConfig qwenLike = new ModelConfig(ModelConfig.Family.LLAMA, 64, 2, 128, 4, 2, 100, 256, 0, true, true, 0);
        JobDescription d = new JobDescription(silo().job(), new JobDescription.Model("file:/models/m", null, null,
                "sequence-classification", List.of("a", "b"), 64, qwenLike),
                AdapterConfig.tt().withTtProjections(List.of("q_proj", "v")), 1, silo().data(), silo().participant(),
                silo().training());
        String json = JobDescriptionJson.write(d);
        assertEquals(d, JobDescriptionJson.read(json));
        ObjectNode tree = (ObjectNode) JSON.readTree(json);
        assertEquals(2, tree.get("model").get("architecture").get("numKeyValueHeads").intValue());
        assertEquals(List.of("q_proj", "v"), List.of(tree.get("adapter").get("ttProjections").get(0).asText(),
                tree.get("adapter").get("ttProjections").get(1).asText()));
    }

    @Test
    void theNewFieldsAreLeftOutAtTheirDefaultsAndReadAsDefaultsWhenAbsent() throws Exception {
        // A description without them (as written before they existed) reads as: no grouped-query attention,
        // untied embeddings, no attention biases, no TT deltas; and one that does not use them is written
        // without them, so a worker that predates them still reads it.
        ObjectNode tree = (ObjectNode) JSON.readTree(JobDescriptionJson.write(silo()));
        for (String f : List.of("numKeyValueHeads", "tieWordEmbeddings", "attentionBias")) {
            assertTrue(!tree.get("model").get("architecture").has(f), f);
        }
        assertTrue(!tree.get("adapter").has("ttProjections"));
        JobDescription d = JobDescriptionJson.read(tree.toString());
        assertEquals(d.model().architecture().numHeads(), d.model().architecture().numKeyValueHeads());
        assertEquals(List.of(), d.adapter().ttProjections());

        ObjectNode badHeads = tree.deepCopy();
        ((ObjectNode) badHeads.get("model").get("architecture")).put("family", "LLAMA").put("typeVocabSize", 0)
                .put("numKeyValueHeads", 5);
        assertTrue(message(badHeads).contains("numKeyValueHeads 5"), message(badHeads));
        ObjectNode badFlag = tree.deepCopy();
        ((ObjectNode) badFlag.get("model").get("architecture")).put("attentionBias", "yes");
        assertTrue(message(badFlag).contains("model.architecture.attentionBias must be true or false"), message(badFlag));
    }

    @Test
    void theLayoutIsTheCoreLayoutOfTheDeclaredModel() {
        JobDescription d = silo();
        assertEquals(AdapterLayout.of(ModelConfig.allMiniLmL6V2(2), d.adapter()).tensors(), d.layout().tensors());
    }

    @Test
    void refusesOtherVersionsUnknownAndMissingFieldsNamingThem() throws Exception {
        ObjectNode tree = (ObjectNode) JSON.readTree(JobDescriptionJson.write(silo()));
        ObjectNode v2 = tree.deepCopy();
        v2.put("formatVersion", 2);
        assertTrue(message(v2).contains("formatVersion 2"), message(v2));

        ObjectNode unknown = tree.deepCopy();
        ((ObjectNode) unknown.get("model")).put("colour", "blue");
        assertTrue(message(unknown).contains("model.colour is not a known field"), message(unknown));

        ObjectNode missing = tree.deepCopy();
        ((ObjectNode) missing.get("model").get("architecture")).remove("hiddenSize");
        assertTrue(message(missing).contains("model.architecture.hiddenSize is required"), message(missing));

        ObjectNode wrongType = tree.deepCopy();
        ((ObjectNode) wrongType.get("training")).put("warmupRatio", "lots");
        assertTrue(message(wrongType).contains("training.warmupRatio must be a number"), message(wrongType));

        ObjectNode badValue = tree.deepCopy();
        ((ObjectNode) badValue.get("model")).put("maxSequenceLength", 0);
        assertTrue(message(badValue).contains("maxSequenceLength must be >= 1"), message(badValue));

        assertTrue(assertThrows(InvalidJobDescriptionException.class, () -> JobDescriptionJson.read("{not json"))
                .getMessage().contains("not valid JSON"));
    }

    private static String message(ObjectNode tree) {
        return assertThrows(InvalidJobDescriptionException.class, () -> JobDescriptionJson.read(tree.toString()))
                .getMessage();
    }
}
