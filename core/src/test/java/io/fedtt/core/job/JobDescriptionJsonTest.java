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
